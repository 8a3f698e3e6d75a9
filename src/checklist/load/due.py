"""Due dates given in working days: ``due_workdays = 5`` after ``from = 2023-09-28``.

Resolved to a plain ``due`` right after the file is shaped, so the rules, the built unit,
the index and every report see a date and nothing else has to know. The count uses the
campaign's ``[calendar]`` (Monday to Friday without one): docs/calendar.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from checklist.load.shape import BAD
from checklist.model import Campaign
from checklist.rules.registry import Finding, KeyPath
from checklist.workdays import calendar_of

# Ten years of working days: more is a typo, and counting it would take a while.
MOST_WORKDAYS = 2500


def resolve_workdays(
    doc: dict[str, Any], campaign: Campaign
) -> tuple[list[Finding], frozenset[KeyPath]]:
    """Replace ``due_workdays`` and ``from`` by the ``due`` they give, in place.

    A measure's own pair is its tasks' default, as its ``due`` is. A pair that cannot be
    read leaves ``due`` marked unusable, so no second finding says the due date is missing.
    Returns the findings and the tables whose ``due`` was counted (for ``relocate``).
    """
    findings: list[Finding] = []
    counted: set[KeyPath] = set()
    for table, path in _tables(doc, campaign):
        if "due_workdays" in table or "from" in table:
            findings.extend(_resolve(table, path, campaign))
            if isinstance(table.get("due"), dt.date):
                counted.add(path)
    return findings, frozenset(counted)


def relocate(findings: list[Finding], counted: frozenset[KeyPath]) -> list[Finding]:
    """Findings about a counted ``due`` (not in the file) point at its ``due_workdays``."""
    if not counted:
        return findings
    return [
        replace(f, path=(*f.path[:-1], "due_workdays"))
        if f.path and f.path[-1] == "due" and f.path[:-1] in counted
        else f
        for f in findings
    ]


def _tables(doc: dict[str, Any], campaign: Campaign) -> Iterator[tuple[dict[str, Any], KeyPath]]:
    for measure in campaign.measures:
        table = doc.get(measure.key)
        if not isinstance(table, dict):
            continue
        yield table, (measure.key,)
        tasks = table.get("tasks")
        if isinstance(tasks, list):
            for i, task in enumerate(tasks):
                if isinstance(task, dict):
                    yield task, (measure.key, "tasks", i)


def _resolve(table: dict[str, Any], path: KeyPath, campaign: Campaign) -> Iterator[Finding]:
    count = table.pop("due_workdays", None)
    start = table.pop("from", None)
    if "due" in table:
        key = "due_workdays" if count is not None else "from"
        yield Finding(
            "E215",
            f'"due" and "{key}" are both given: a task has one due date',
            (*path, key),
            hint="keep due = 2023-10-12, or due_workdays = 5 with from = 2023-09-28, not both",
            zh=f"同时写了截止日期(due)和 {key}:一项任务只能有一个截止日期",
            zh_hint="只留一种写法:due = 2023-10-12,或者 due_workdays = 5 加 from = 2023-09-28",
        )
        return
    if count is None:
        table["due"] = BAD
        yield Finding(
            "E215",
            '"from" without "due_workdays": working days after it, but how many?',
            (*path, "from"),
            hint="add due_workdays = 5 (the number of working days), or write due instead",
            zh="写了起算日期(from),但没写几个工作日(due_workdays)",
            zh_hint="加一行 due_workdays = 5(工作日的天数),或者直接写 due = 截止日期",
        )
        return
    if start is None:
        table["due"] = BAD
        yield Finding(
            "E215",
            '"due_workdays" without "from": working days after which day?',
            (*path, "due_workdays"),
            hint="add from = 2023-09-28, the day the count starts after",
            zh="写了工作日天数(due_workdays),但没写从哪天算起(from)",
            zh_hint="加一行 from = 2023-09-28,从这一天的第二天开始数工作日",
        )
        return
    if count is BAD or start is BAD:
        table["due"] = BAD  # shape has said what is wrong with the value
        return
    if not 1 <= count <= MOST_WORKDAYS:
        table["due"] = BAD
        yield Finding(
            "E215",
            f"due_workdays = {count} is not a number of working days from 1 to {MOST_WORKDAYS}",
            (*path, "due_workdays"),
            on_value=True,
            hint="write how many working days after from the task is due, like due_workdays = 5",
            zh=f"due_workdays = {count} 不是 1 到 {MOST_WORKDAYS} 之间的工作日天数",
            zh_hint="写明从 from 那天之后第几个工作日截止,例如 due_workdays = 5",
        )
        return
    due: dt.date = calendar_of(campaign.calendar).add_workdays(start, count)
    table["due"] = due
