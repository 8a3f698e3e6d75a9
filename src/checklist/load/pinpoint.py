"""Turn findings, which name key paths, into problems with a line and column."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from checklist.model import Problem
from checklist.rules.registry import Finding, KeyPath

if TYPE_CHECKING:
    from checklist.load.locate import Place


def pinpoint(findings: Iterable[Finding], *, text: str, file: str) -> tuple[Problem, ...]:
    """Locate each finding in ``text``; the position pass runs only when something needs it."""
    findings = list(findings)
    places: dict[KeyPath, Place] = {}
    if any(f.line is None for f in findings):
        from checklist.load.locate import locate  # its patterns compiled only when needed

        try:
            places = locate(text)
        except ValueError:
            places = {}
    problems = [_problem(f, places, file) for f in findings]
    problems.sort(key=lambda p: (p.line, p.column, p.code))
    return tuple(problems)


def _problem(finding: Finding, places: dict[KeyPath, Place], file: str) -> Problem:
    rule = finding.rule
    line, column = finding.line or 1, finding.column or 1
    end_line = line if finding.end_column else None
    end_column = finding.end_column
    if finding.line is None:
        path = finding.path
        while path and path not in places:
            path = path[:-1]
        place = places.get(path)
        if place:
            span = place.value if finding.on_value and path == finding.path else place.key
            line, column, end_line, end_column = (
                span.line,
                span.column,
                span.end_line,
                span.end_column,
            )
    return Problem(
        file=file,
        line=line,
        column=column,
        severity=rule.severity,
        code=rule.code,
        rule=rule.name,
        message=finding.message,
        hint=finding.hint,
        message_zh=finding.zh,
        hint_zh=finding.zh_hint,
        end_line=end_line,
        end_column=end_column,
    )
