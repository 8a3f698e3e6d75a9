"""A checked file's problems and unit as plain rows of the store, and back again.

Numbers, text and dates as ISO text: a row can describe a record but never run code,
and the store can be read with any SQLite tool. Each row starts with its file's id and
its place in the file; the other columns follow the records' fields.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterable
from typing import Any

from checklist.load.check import UnitResult
from checklist.model import Level, Person, Problem, Severity, Task, Unit

Row = tuple[Any, ...]

PROBLEM_COLUMNS = (
    "file, seq, line, column, severity, code, rule, message, hint, end_line, end_column, "
    "message_zh, hint_zh"
)
UNIT_COLUMNS = "file, id, name, county, level, contact_name, contact_address, note"
TASK_COLUMNS = (
    "file, seq, measure, idx, title, owner_name, owner_address, due, done, repeat, until, id, "
    "note, postponed_from, postpone_reason, line"
)


def day_text(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def _day(text: str | None) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(text)


def problem_rows(file_id: int, problems: Iterable[Problem]) -> list[Row]:
    return [
        (
            file_id,
            seq,
            p.line,
            p.column,
            p.severity.value,
            p.code,
            p.rule,
            p.message,
            p.hint,
            p.end_line,
            p.end_column,
            p.message_zh,
            p.hint_zh,
        )
        for seq, p in enumerate(problems)
    ]


def problems_of(rows: Iterable[Row], *, file: str) -> tuple[Problem, ...]:
    return tuple(Problem(file, r[2], r[3], Severity(r[4]), *r[5:]) for r in rows)


def unit_rows(file_id: int, unit: Unit) -> tuple[Row, list[Row]]:
    """The unit's own row, and one row per task as written (a repeating task once)."""
    contact = unit.contact
    head = (
        file_id,
        unit.id,
        unit.name,
        unit.county,
        unit.level.value,
        contact.name,
        contact.address,
        unit.note,
    )
    return head, [_task_row(file_id, seq, task) for seq, task in enumerate(unit.tasks)]


def _task_row(file_id: int, seq: int, t: Task) -> Row:
    return (
        file_id,
        seq,
        t.measure,
        t.index,
        t.title,
        t.owner.name,
        t.owner.address,
        t.due.isoformat(),
        " ".join(day.isoformat() for day in t.done),
        t.repeat,
        day_text(t.until),
        t.id,
        t.note,
        day_text(t.postponed_from),
        t.postpone_reason,
        t.line,
    )


# Made as pickle makes them, by filling the instance's dict: a frozen dataclass's __init__
# sets each field through object.__setattr__, twice as slow for 140,000 tasks a city.
_TASK_FIELDS = tuple(Task.__dataclass_fields__)
_new = object.__new__


def unit_of(head: Row, tasks: Iterable[Row], *, file: str) -> Unit:
    """The unit build_unit made, from its rows; ValueError or TypeError if they make none."""
    _file, unit_id, name, county, level, contact_name, contact_address, note = head
    people: dict[tuple[str, str | None], Person] = {}

    def person(name: str, address: str | None) -> Person:
        # Every person of a unit belongs to it, and is one record however often named.
        found = people.get((name, address))
        if found is None:
            found = people[name, address] = Person(name, address, unit_id)
        return found

    fromisoformat = dt.date.fromisoformat
    built = []
    for r in tasks:
        task = _new(Task)
        task.__dict__.update(
            zip(
                _TASK_FIELDS,
                (
                    r[2],
                    r[3],
                    r[4],
                    person(r[5], r[6]),
                    fromisoformat(r[7]),
                    tuple(map(fromisoformat, r[8].split())),
                    r[9],
                    _day(r[10]),
                    r[11],
                    r[12],
                    _day(r[13]),
                    r[14],
                    r[15],
                ),
                strict=True,
            )
        )
        built.append(task)
    contact = person(contact_name, contact_address)
    return Unit(unit_id, name, county, Level(level), contact, tuple(built), file, note)


@functools.lru_cache(maxsize=64)
def _key_path(text: str) -> tuple[str | int, ...]:
    """A unit id's key path from its JSON; a city has two or three different ones."""
    return tuple(json.loads(text))


def result_of(row: Row, problems: list[Row]) -> UnitResult | None:
    """A file's result, without its unit, from its rows; None if they make none (a miss)."""
    _path, *_stamp, file, unit_id, id_path, last_done, _built = row
    try:
        day = None if last_done is None else dt.date.fromisoformat(last_done)
        return UnitResult(
            file, None, problems_of(problems, file=file), unit_id, _key_path(id_path), day
        )
    except (ValueError, TypeError):
        return None
