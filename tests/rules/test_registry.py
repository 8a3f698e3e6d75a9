"""The rule registry: every check is a named function that says which codes it emits."""

from __future__ import annotations

import inspect

from checklist.load.schema import CAMPAIGN_SCHEMA, UNIT_TABLE, Kind
from checklist.rules.registry import (
    EMITS,
    RULES,
    campaign_checks,
    day_dependent_codes,
    unit_checks,
)

# Codes emitted outside the registered rules: reading and parsing the file (E0xx), its
# structure (load/shape.py) and the one rule across files (rules/across.py).
_OUTSIDE = {"E001", "E002", "E003", "E004", "E005", "E006", "E007", "E008", "E101", "E104"}
_OUTSIDE |= {"E301", "E215"}  # E215: load/due.py, before the rules


def test_every_check_is_a_named_function_with_its_codes() -> None:
    checks = (*unit_checks(), *campaign_checks())
    assert len({check.__name__ for check in checks}) == len(checks)
    for check in checks:
        assert check.__name__.startswith("check_"), check
        assert inspect.getdoc(check), check
        assert set(EMITS[check.__name__]) <= set(RULES), check


def test_every_code_has_a_home() -> None:
    unit_checks()
    campaign_checks()
    emitted = {code for codes in EMITS.values() for code in codes}
    assert set(RULES) - emitted <= _OUTSIDE


def test_only_done_in_the_future_depends_on_the_day() -> None:
    assert day_dependent_codes() == {"E207"}


def test_the_schema_holds_the_only_copy_of_the_choices() -> None:
    from checklist.rules.campaign import _CHOICES
    from checklist.rules.unit import _LEVELS

    declared = {
        (table.name, field.name): field.choices
        for table in CAMPAIGN_SCHEMA.fields
        if table.kind is Kind.TABLE
        for field in table.fields
        if field.choices
    }
    assert {(t, k): c for t, k, c in _CHOICES} == declared
    expected = {
        ("campaign", "lang"),
        ("remind", "lang"),
        ("smtp", "security"),
        ("webhook", "format"),
        ("calendar", "country"),
        ("calendar", "count"),
    }
    assert set(declared) == expected
    level = UNIT_TABLE.child("level")
    assert level is not None
    assert _LEVELS is level.choices
