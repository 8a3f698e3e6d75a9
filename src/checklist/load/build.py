"""Build a Unit from a checked document: the records every command works on."""

from __future__ import annotations

import re
from typing import Any

from checklist.load.locate import Place
from checklist.model import Level, Person, Task, Unit
from checklist.rules.context import Context, Entry, good, parse_person
from checklist.rules.registry import KeyPath
from checklist.rules.shift import shift_of


def unit_id_of(doc: dict[str, Any], ctx: Context) -> tuple[str | None, KeyPath]:
    unit = doc.get("unit")
    unit_id = good(unit, "id")
    if isinstance(unit_id, str):
        return unit_id, ("unit", "id")
    if isinstance(unit, dict) and "id" not in unit:
        return ctx.stem, ("unit",)
    return None, ("unit",)


_TASK_HEADER = re.compile(
    r"^[ \t]*\[\[[ \t]*([A-Za-z0-9_]+)[ \t]*\.[ \t]*tasks[ \t]*\]\]", re.MULTILINE
)


def _task_lines(text: str) -> dict[str, list[int]]:
    """Header lines of every [[measure.tasks]], in one pass; suits files as people write them."""
    found: dict[str, list[int]] = {}
    line, position = 1, 0
    for match in _TASK_HEADER.finditer(text):
        line += text.count("\n", position, match.start())
        position = match.start()
        found.setdefault(match[1], []).append(line)
    return found


def build_unit(doc: dict[str, Any], ctx: Context, *, file: str, text: str) -> Unit:
    unit = doc["unit"]
    unit_id = unit.get("id", ctx.stem)
    people = doc.get("people", {})

    persons: dict[str, Person] = {}

    def person(written: str) -> Person:
        if written not in persons:  # a unit names the same few people many times
            name, address = parse_person(written)
            persons[written] = Person(name, address or people.get(name), unit_id)
        return persons[written]

    tasks = []
    headers = _task_lines(text)
    located: list[dict[KeyPath, Place]] = []  # the position pass, run at most once
    for entry in ctx.entries:
        key = entry.measure.key
        found = headers.get(key, [])
        # The cheap scan fits files as people write them; anything else is located exactly.
        written = doc[key].get("tasks") or []
        line = (
            found[entry.index - 1]
            if entry.index and len(found) == len(written)
            else _line_of(text, entry, located)
        )
        done = entry.table.get("done")
        tasks.append(
            Task(
                measure=key,
                index=entry.index,
                title=entry.table.get("title", entry.measure.name),
                owner=person(entry.get("owner")),
                due=entry.get("due"),
                done=tuple(done) if isinstance(done, list) else (done,) if done else (),
                repeat=entry.table.get("repeat"),
                until=entry.table.get("until"),
                id=entry.table.get("id"),
                note=entry.table.get("note"),
                postponed_from=entry.table.get("postponed_from"),
                postpone_reason=entry.table.get("postpone_reason"),
                line=line,
                shift=shift_of(entry),
            )
        )
    county = ctx.campaign.county(unit["county"])
    assert county is not None  # checked above: a unit with an unknown county has errors
    return Unit(
        id=unit_id,
        name=unit["name"],
        county=county.code,
        level=Level(unit["level"]),
        contact=person(unit["contact"]),
        tasks=tuple(tasks),
        file=file,
        note=unit.get("note"),
        sector=unit.get("sector"),
    )


def _line_of(text: str, entry: Entry, located: list[dict[KeyPath, Place]]) -> int:
    """The line of a measure's [key] header, or of an unusually written task.

    ``located`` keeps the position pass for the next task: run once per task, it took
    the square of the file's size (20,000 tasks in an inline array: minutes).
    """
    if entry.index == 0:
        header = re.search(
            rf"^[ \t]*\[[ \t]*{re.escape(entry.measure.key)}[ \t]*\]", text, re.MULTILINE
        )
        if header:
            return text.count("\n", 0, header.start()) + 1
    if not located:
        from checklist.load.locate import locate

        try:
            located.append(locate(text))
        except ValueError:
            located.append({})
    place = located[0].get(entry.path)
    return place.key.line if place else 1
