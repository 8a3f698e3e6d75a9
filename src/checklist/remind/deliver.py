"""The names the CLI imports, until it imports them from their new modules; then delete this."""

from checklist.remind.channels import open_channels
from checklist.remind.ledger import Ledger as State
from checklist.remind.ledger import locked
from checklist.remind.send import Outcome, deliver, message_to_dict

__all__ = ["Outcome", "State", "deliver", "locked", "message_to_dict", "open_channels"]
