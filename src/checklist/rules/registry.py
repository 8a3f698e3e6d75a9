"""The registry of validation rules: stable codes, names and severities, and the checks.

Checks emit ``Finding``s that name a rule by code; docs/rules.md, the JSON
output and ``--strict`` all read this one table. Each check is a named function
registered here with the codes it emits: unit-file checks by ``unit_rule``,
campaign.toml checks by ``campaign_rule``.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from checklist.model import Severity

if TYPE_CHECKING:
    from checklist.rules.context import Context


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str
    # The report day changes the verdict: a cached result with this code must be redone.
    day_dependent: bool = False
    zh_summary: str = ""  # the summary for a clerk who reads Chinese


_E = Severity.ERROR
_W = Severity.WARNING

RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in (
        # The file itself.
        Rule(
            "E001",
            "unreadable",
            _E,
            "The file or folder cannot be read (permissions, not a regular file, a broken link).",
        ),
        Rule("E002", "not-utf8", _E, "The file is binary or not UTF-8 text."),
        Rule("E003", "empty-file", _E, "The file is empty or holds only comments."),
        Rule(
            "E004", "too-large", _E, "The file is larger than a unit file can sensibly be (1 MiB)."
        ),
        Rule("E005", "toml-syntax", _E, "The file is not valid TOML."),
        Rule("E006", "invalid-date", _E, "A date that does not exist, such as 2023-02-30."),
        Rule(
            "E007",
            "outside-campaign",
            _E,
            "A file or folder whose real path is outside the campaign folder (a link), "
            "refused unread without --follow-outside.",
        ),
        Rule("E008", "check-failed", _E, "Checking the file failed: a bug in checklist."),
        # The shape of the file.
        Rule("E101", "unknown-key", _E, "A key or table the format does not have (a typo?)."),
        Rule("E102", "missing-key", _E, "A required key or table is absent."),
        Rule(
            "E103", "wrong-type", _E, "A value of the wrong type, e.g. a number where text belongs."
        ),
        Rule("E104", "date-as-string", _E, "A date written in quotes, which makes it text."),
        Rule("E105", "misplaced-key", _E, "A key that is valid only elsewhere."),
        # The values.
        Rule("E201", "unknown-county", _E, "The unit's county is not in campaign.toml."),
        Rule(
            "E202", "unknown-level", _E, 'The unit\'s level is neither "county" nor "grassroots".'
        ),
        Rule("E203", "empty-text", _E, "A name, title, owner or contact that is empty."),
        Rule(
            "E204",
            "control-character",
            _E,
            "Control, bidi or line-separator characters in any text; zero-width and other "
            "invisible characters in names, owners, contacts, ids, addresses and keys.",
        ),
        Rule(
            "E205", "invalid-recurrence", _E, "A repeat rule that is neither a shorthand nor RRULE."
        ),
        Rule(
            "E206",
            "due-outside-campaign",
            _E,
            "A due date before the campaign start or after its end.",
        ),
        Rule(
            "E207",
            "done-in-future",
            _E,
            "A done date after today (in the campaign's time zone).",
            day_dependent=True,
        ),
        Rule("E208", "done-before-start", _E, "A done date before the campaign started."),
        Rule("E209", "bad-address", _E, "An e-mail address that cannot be one."),
        Rule("E210", "bad-id", _E, "A unit or task id with spaces or other unusable characters."),
        Rule(
            "E211", "too-many-done", _E, "More done dates than the repeating task has occurrences."
        ),
        Rule("E212", "duplicate-task-id", _E, "Two tasks of one unit share an id."),
        Rule("E213", "bad-config-value", _E, "A campaign.toml value that cannot work."),
        # Across files.
        Rule("E301", "duplicate-unit-id", _E, "Two unit files share a unit id."),
        # Warnings: valid, but probably not what was meant.
        Rule("W401", "duplicate-task-title", _W, "Two tasks of one measure have the same title."),
        Rule("W402", "done-out-of-order", _W, "A repeating task's done dates are not in order."),
        Rule("W403", "no-occurrences", _W, "A repeating task has no occurrence in the campaign."),
        Rule(
            "W404", "postpone-incomplete", _W, "A postponement without its reason, or the reverse."
        ),
        Rule("W405", "county-folder", _W, "The file sits in another county's folder."),
        Rule(
            "W406",
            "invisible-character",
            _W,
            "A zero-width or other invisible character in a title, note or reason.",
        ),
        Rule(
            "W407",
            "byte-order-mark",
            _W,
            "The file starts with a UTF-8 byte-order mark, which editors' TOML tools "
            "(taplo, tombi) and check-jsonschema refuse.",
        ),
    )
}

KeyPath = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem before it is located: it names a key path, or a known position."""

    code: str
    message: str
    path: KeyPath = ()
    on_value: bool = False  # point at the value rather than the key
    hint: str | None = None
    line: int | None = None
    column: int | None = None
    end_column: int | None = None
    # The same, written for a clerk who reads Chinese (not a translation of the jargon).
    zh: str = ""
    zh_hint: str | None = None

    @property
    def rule(self) -> Rule:
        return RULES[self.code]


def day_dependent_codes() -> frozenset[str]:
    """Codes whose verdict changes with the report day (today only E207)."""
    return _DAY_DEPENDENT


_DAY_DEPENDENT = frozenset(code for code, rule in RULES.items() if rule.day_dependent)

UnitCheck = Callable[[dict[str, Any], "Context"], Iterator[Finding]]
CampaignCheck = Callable[[dict[str, Any]], Iterator[Finding]]

_UNIT_CHECKS: list[UnitCheck] = []
_CAMPAIGN_CHECKS: list[CampaignCheck] = []
EMITS: dict[str, tuple[str, ...]] = {}  # check name -> the codes it may emit

# The topic modules, in the order their checks run; each registers itself on import.
_UNIT_MODULES = ("text", "unit", "people", "tasks", "dates", "recurrence")


def unit_rule(*codes: str) -> Callable[[UnitCheck], UnitCheck]:
    """Register a unit-file check that emits ``codes``; each runs on every unit file."""

    def register(function: UnitCheck) -> UnitCheck:
        _UNIT_CHECKS.append(function)
        EMITS[function.__name__] = codes
        return function

    return register


def campaign_rule(*codes: str) -> Callable[[CampaignCheck], CampaignCheck]:
    """Register a campaign.toml check that emits ``codes``."""

    def register(function: CampaignCheck) -> CampaignCheck:
        _CAMPAIGN_CHECKS.append(function)
        EMITS[function.__name__] = codes
        return function

    return register


@functools.cache
def unit_checks() -> tuple[UnitCheck, ...]:
    """Every unit-file check, in order: importing the topic modules registers them."""
    for name in _UNIT_MODULES:
        importlib.import_module(f"checklist.rules.{name}")
    return tuple(_UNIT_CHECKS)


@functools.cache
def campaign_checks() -> tuple[CampaignCheck, ...]:
    """Every campaign.toml check, in order."""
    importlib.import_module("checklist.rules.campaign")
    return tuple(_CAMPAIGN_CHECKS)
