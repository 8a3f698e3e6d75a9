"""A ledger sheet (one row per task) → new unit files, or every problem named by its cell.

Rows are grouped by unit; each unit's file is laid out as ``checklist new`` lays it out
(scaffold.unit_toml), its tasks added as ``[[<measure>.tasks]]`` blocks, and the text
checked by the real checker (check_unit), whose findings are traced back to the cells
they came from. A sheet with any error gives no file at all.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, replace
from pathlib import Path

from checklist.i18n import Lang, t
from checklist.ingest_rows import SheetProblem, group_rows, problem, read_rows
from checklist.ingest_text import Lines, UnitRows, unit_text
from checklist.load.check import check_unit
from checklist.load.schema import SCHEMA_FILE
from checklist.load.source import display
from checklist.model import Campaign, Problem, Severity
from checklist.workbook import Sheet


@dataclass(frozen=True, slots=True)
class NewUnit:
    """A unit file to create, or (``before`` given) to update with ``changes``."""

    path: Path
    unit_id: str
    name: str
    rows: tuple[int, ...]
    tasks: int
    text: str
    before: bytes | None = None
    changes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Ingest:
    """What importing a sheet would write, and what stands in the way."""

    sheet: str
    units: tuple[NewUnit, ...]
    problems: tuple[SheetProblem, ...]

    @property
    def has_errors(self) -> bool:
        return any(p.severity is Severity.ERROR for p in self.problems)


def plan(sheet: Sheet, *, campaign: Campaign, today: dt.date, update: bool = False) -> Ingest:
    """The unit files a sheet makes, each checked; or the problems, by cell, that prevent it.

    A unit that has a file already is refused, or with ``update`` its file is changed
    where the sheet differs.
    """
    table = read_rows(sheet)
    if table.problems:
        return Ingest(sheet.name, (), table.problems)
    rows, header = table.rows, table.header
    problems: list[SheetProblem] = []
    groups = group_rows(rows, sheet.name, campaign, problems)
    existing = _existing(campaign)
    taken = {unit_id for unit_id, _ in existing.values()} | _file_stems(existing)
    units: list[NewUnit] = []
    for group in groups:
        if group.name in existing and not update:
            problems.append(
                problem(
                    sheet.name,
                    group.first,
                    "unit",
                    "import.exists",
                    name=group.name,
                    file=display(existing[group.name][1]),
                )
            )
            continue
        if group.broken:
            continue
        if group.name in existing:
            unit_id, path = existing[group.name]
            changed = _updated(group, path, unit_id, sheet.name, campaign, today, problems)
            units += [changed] if changed else []
            continue
        absent = [m for m in campaign.measures if m.key not in group.measures]
        for measure in absent:
            problems.append(
                problem(
                    sheet.name,
                    group.first,
                    "measure",
                    "import.no_measure",
                    name=group.name,
                    measure=measure.name,
                )
            )
        if absent or any(f not in group.fields for f in ("county", "level", "contact")):
            continue
        unit, lines = _new_unit(group, campaign, taken)
        taken.add(unit.unit_id)
        result = check_unit(
            unit.text.encode(), file=display(unit.path), campaign=campaign, today=today, build=False
        )
        problems += (_traced(p, sheet.name, group, lines) for p in result.problems)
        units.append(unit)
    if not rows and not problems:
        problems.append(problem(sheet.name, header, "unit", "import.no_rows", first=header + 1))
    return Ingest(sheet.name, tuple(units), tuple(problems))


def _existing(campaign: Campaign) -> dict[str, tuple[str, Path]]:
    """Every unit file of the campaign by unit name: its id and its path."""
    import tomllib

    from checklist.load.discover import discover
    from checklist.load.source import SourceError, decode, loads, read

    found: dict[str, tuple[str, Path]] = {}
    for path in discover([campaign.root], campaign):
        unit_id, name = path.stem, None
        try:
            table = loads(decode(read(path))).get("unit")
        except (SourceError, tomllib.TOMLDecodeError, RecursionError):
            table = None  # validate says what is wrong with it
        if isinstance(table, dict):
            unit_id = table["id"] if isinstance(table.get("id"), str) else unit_id
            name = table.get("name") if isinstance(table.get("name"), str) else None
        found.setdefault(name or f"\0{path}", (unit_id, path))
    return found


def _file_stems(existing: dict[str, tuple[str, Path]]) -> set[str]:
    return {path.stem for _, path in existing.values()}


def _new_unit(group: UnitRows, campaign: Campaign, taken: set[str]) -> tuple[NewUnit, Lines]:
    """The unit's file, named as ``checklist new`` names one: <county code>-<n>."""
    code = str(group.fields["county"][0])
    n = 1
    while f"{code.lower()}-{n:03d}" in taken:
        n += 1
    unit_id = f"{code.lower()}-{n:03d}"
    path = campaign.root / "units" / code / f"{unit_id}.toml"
    schema = campaign.root / "units" / SCHEMA_FILE
    relative = Path(os.path.relpath(schema, path.parent)).as_posix() if schema.exists() else None
    text, lines = unit_text(group, unit_id=unit_id, campaign=campaign, schema=relative)
    rows = tuple(sorted({row.number for row in group.rows}))
    return NewUnit(path, unit_id, group.name, rows, group.tasks, text), lines


def _traced(problem: Problem, sheet: str, group: UnitRows, lines: Lines) -> SheetProblem:
    """A checker's finding in the written text, at the cell its line came from."""
    row, field = lines.get(problem.line, (group.first.number, "unit"))
    column = next((r.columns.get(field, 1) for r in group.rows if r.number == row), 1)
    zh = problem.message_zh or problem.message
    return replace(
        SheetProblem(sheet, row, column, problem.code, problem.message, zh),
        severity=problem.severity,
    )


def _updated(
    group: UnitRows,
    path: Path,
    unit_id: str,
    sheet: str,
    campaign: Campaign,
    today: dt.date,
    problems: list[SheetProblem],
) -> NewUnit | None:
    """The unit's file with the sheet's changes, checked; None (and why) if it cannot be."""
    from checklist.ingest_update import RefusedError, update_unit

    try:
        update = update_unit(path, group, campaign=campaign)
    except RefusedError as error:
        problems.append(
            problem(sheet, group.first, "unit", "import.refused", file=display(path), why=error)
        )
        return None
    checked = (
        ()
        if not update.changes
        else check_unit(update.after, file=display(path), campaign=campaign, today=today).problems
    )  # an unchanged file is as valid as edit._load found it
    for found in checked:
        where = f"{display(path)}:{found.line}"
        values = {"file": where, "why": found.message, "code": found.code}
        problems.append(
            replace(
                problem(sheet, group.first, "unit", "import.invalid", **values),
                message_zh=t("import.invalid", Lang.ZH, **values | {"why": found.message_zh}),
                severity=found.severity,
            )
        )
    rows = tuple(sorted({row.number for row in group.rows}))
    text = update.after.decode("utf-8")  # a byte-order mark stays, as U+FEFF
    return NewUnit(
        path, unit_id, group.name, rows, group.tasks, text, update.before, update.changes
    )


def write_units(units: tuple[NewUnit, ...], *, campaign: Campaign, today: dt.date) -> None:
    """Create every new file (never over one) and update the others, each as ``done``
    edits a file; if one fails, undo those made before it: a sheet is imported whole
    or not at all."""
    from checklist import edit
    from checklist.atomic import write_atomic
    from checklist.scaffold import create

    made: list[NewUnit] = []
    try:
        for unit in units:
            if unit.before is None:
                create(unit.path, unit.text.encode())
            elif unit.changes:
                change = edit.Edit(unit.path, unit.before, unit.text.encode(), "import")
                with edit.editing(unit.path):
                    edit.apply(change, campaign=campaign, today=today)
            made.append(unit)
    except BaseException:
        for unit in made:
            if unit.before is None:
                unit.path.unlink(missing_ok=True)
            elif unit.changes:
                write_atomic(unit.path, unit.before)
        raise
