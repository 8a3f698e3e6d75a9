"""``import --update``: change in an existing unit file only what the sheet changes.

The file goes through the edit machinery of ``done`` (tomlkit, then ``splice`` keeps
every other byte): a task is found by its measure and title; an owner, due date, done
date or note that differs is set, a task the file lacks is added after the measure's
last one. A blank cell changes nothing and nothing is ever removed: the sheet may be
older than the file.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checklist.errors import ChecklistError
from checklist.ingest_text import UnitRows
from checklist.model import Campaign, Level
from checklist.scaffold import value


@dataclass(frozen=True, slots=True)
class Update:
    """The file's bytes before and after, and what changed, one line each."""

    before: bytes
    after: bytes
    changes: tuple[str, ...]


class RefusedError(Exception):
    """The update cannot be made; the message says why, for the unit's first row."""


def update_unit(path: Path, unit: UnitRows, *, campaign: Campaign) -> Update:
    """The sheet's values written into the unit file at ``path``; RefusedError if they cannot be."""
    import tomlkit

    from checklist import edit

    try:
        before, doc = edit._load(path, campaign)
    except ChecklistError as error:
        raise RefusedError(str(error)) from None
    changes: list[str] = []
    head = doc["unit"]
    county = str(unit.fields["county"][0])
    if head.get("county") not in (county, _county_name(campaign, county)):
        raise RefusedError(
            f"the file's county is {head.get('county')!r}; import does not move a unit"
        )
    level = unit.fields["level"][0]
    assert isinstance(level, Level)
    for key, new in (("level", str(level)), ("contact", str(unit.fields["contact"][0]))):
        if not _same(head.get(key), new):
            changes.append(f"{key}: {head.get(key)} → {new}")
            edit._set(head, key, new)
    added: list[tuple[str, str]] = []
    for key, rows in unit.measures.items():
        name = campaign.measure(key).name if campaign.measure(key) else key  # type: ignore[union-attr]
        table = doc[key]
        if rows.own is not None:
            changes += _apply(table, rows.own[1], {}, f"[{name}]", campaign)
        tasks = table.get("tasks")
        found = list(tasks) if tasks is not None else []
        for _, values in rows.tasks:
            title = str(values["title"])
            match = next((t for t in found if t.get("title") == title), None)
            if match is not None:
                found.remove(match)
                if match.get("repeat") is not None and "done" in values:
                    raise RefusedError(
                        f"{name}/{title} repeats: record its occurrences with checklist done"
                    )
                changes += _apply(match, values, table, f"{name}/{title}", campaign)
                continue
            if tasks is None:
                tasks = tomlkit.aot()
                table["tasks"] = tasks
            elif not isinstance(tasks, tomlkit.items.AoT):
                raise RefusedError(f"[{key}] lists its tasks in one array: add {title!r} by hand")
            block = tomlkit.table()
            for field in ("title", "owner", "due", "done", "note"):
                if field in values:
                    block[field] = values[field]
            block.add(tomlkit.nl())
            tasks.append(block)
            added.append((key, title))
            changes.append(f"+ {name}/{title}")
    if not changes:
        return Update(before, before, ())
    try:
        after = edit._encode(doc, before, path)
    except ChecklistError as error:
        raise RefusedError(str(error)) from None
    return Update(before, _tidy(before, after, added), tuple(changes))


def _same(current: object, new: object) -> bool:
    """Whether the sheet's value is the file's: a name is "张伟 <zw@example.cn>" without its
    address, which a sheet does not hold and so does not take away."""
    if isinstance(current, str) and isinstance(new, str) and current.endswith(">"):
        return current == new or current.split("<", 1)[0].strip() == new
    return current == new


def _county_name(campaign: Campaign, code: str) -> str | None:
    county = campaign.county(code)
    return county.name if county else None


def _apply(
    target: Any, values: dict[str, object], measure: Any, what: str, campaign: Campaign
) -> list[str]:
    """Set each value of the row that differs from the task's own (or inherited) one.

    A due given as ``due_workdays`` after ``from`` is the day it comes to: the same day
    changes nothing, another one replaces the pair by a plain ``due`` (edit_due.set_due).
    """
    from checklist import edit
    from checklist.edit_due import set_due, written_due

    changes = []
    for field in ("owner", "due", "done", "note"):
        if field not in values:
            continue
        current = target.get(field, measure.get(field) if field == "owner" else None)
        if field == "due":
            current = written_due(target, measure, campaign)
        if isinstance(current, dt.date):
            current = dt.date(current.year, current.month, current.day)
        if not _same(current, values[field]):
            changes.append(
                f"{what}: {field} {current if current is not None else '—'} → {values[field]}"
            )
            if field == "due":
                set_due(target, values[field], edit._set)  # type: ignore[arg-type]
            else:
                edit._set(target, field, values[field])
    return changes


def _tidy(before: bytes, after: bytes, added: list[tuple[str, str]]) -> bytes:
    """A blank line before each added task and none after the last line, as ``new`` writes;
    tomlkit leaves them out where a measure ends the file. Only blank lines move."""
    text = after.decode("utf-8")
    for key, title in added:
        block = f"[[{key}.tasks]]\ntitle = {value(title)}\n"
        text = re.sub(rf"(?<=[^\n])\n(?={re.escape(block)})", "\n\n", text, count=1)
    if before.endswith(b"\n") and not before.endswith(b"\n\n"):
        text = text.rstrip("\n") + "\n"
    tidied = text.encode("utf-8")
    if tomllib.loads(tidied.decode("utf-8-sig")) != tomllib.loads(after.decode("utf-8-sig")):
        return after  # never change what the file means for the sake of blank lines
    return tidied
