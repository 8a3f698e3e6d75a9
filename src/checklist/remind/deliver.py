"""The names the CLI imports, until it imports them from their new modules."""

from checklist.remind.ledger import Email, Outcome, State, deliver, locked, message_to_dict, open_channels

__all__ = ["Email", "Outcome", "State", "deliver", "locked", "message_to_dict", "open_channels"]
