"""The names the CLI imports, until it imports them from their new modules."""

from checklist.remind.channels import message_to_dict, open_channels
from checklist.remind.email import Email
from checklist.remind.ledger import Ledger as State
from checklist.remind.ledger import locked
from checklist.remind.send import Outcome, deliver

__all__ = ["Email", "Outcome", "State", "deliver", "locked", "message_to_dict", "open_channels"]
