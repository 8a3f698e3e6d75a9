"""What checking one file found: its own module, so that reports read from the index
never import the checks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from checklist.model import Problem, Severity, Unit
from checklist.rules.registry import KeyPath


@dataclass(frozen=True)  # no slots: pickled by the ten thousand, see model.py
class UnitResult:
    """What checking one file found; ``unit`` is None when it has errors."""

    file: str
    unit: Unit | None
    problems: tuple[Problem, ...]
    unit_id: str | None = None  # known even when other parts of the file are broken
    unit_id_path: KeyPath = ("unit",)
    # The latest done date in the file: the only thing that makes a result depend on the
    # day (the rules of registry.day_dependent_codes(): E207, done in the future), so a
    # cached result holds while this is not after it.
    last_done: dt.date | None = None

    @property
    def has_errors(self) -> bool:
        return any(p.severity is Severity.ERROR for p in self.problems)
