"""A ledger sheet (one row per task) → new unit files, or every problem named by its cell.

Rows are grouped by unit; each unit's file is laid out as ``checklist new`` lays it out
(scaffold.unit_toml), its tasks added as ``[[<measure>.tasks]]`` blocks, and the text
checked by the real checker (check_unit), whose findings are traced back to the cells
they came from. A sheet with any error gives no file at all.
"""

from __future__ import annotations

import datetime as dt
import os
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from checklist.i18n import Lang, t
from checklist.ingest_text import Lines, UnitRows, unit_text
from checklist.load.check import check_unit
from checklist.load.schema import SCHEMA_FILE
from checklist.load.source import display
from checklist.model import Campaign, Level, Problem, Severity
from checklist.scaffold import MAX_TEXT
from checklist.workbook import MAX_CELL, Cell, Reason, Sheet, day_of, sheet_ref, text_of
from checklist.words import did_you_mean

HEADER_ROWS = 10  # the header is looked for among the first rows, below any title rows


@dataclass(frozen=True, slots=True)
class Column:
    field: str
    names: tuple[str, ...]  # as written in a header cell, Chinese first
    required: bool = True


COLUMNS = (
    Column("unit", ("单位", "单位名称", "unit")),
    Column("county", ("区县", "县(市、区)", "county")),
    Column("level", ("层级", "level")),
    Column("contact", ("联系人", "contact")),
    Column("measure", ("措施", "措施类别", "measure")),
    Column("task", ("任务", "具体任务", "task")),
    Column("owner", ("责任人", "owner")),
    Column("due", ("完成时限", "截止日期", "due")),
    Column("done", ("完成时间", "done"), required=False),
    Column("note", ("备注", "note"), required=False),
)
LEVELS = {
    "county": Level.COUNTY,
    "县级": Level.COUNTY,
    "县处级": Level.COUNTY,
    "grassroots": Level.GRASSROOTS,
    "基层": Level.GRASSROOTS,
}


@dataclass(frozen=True, slots=True)
class SheetProblem:
    """One problem, at a cell of the sheet, in both languages."""

    sheet: str
    row: int
    column: int
    code: str
    message: str
    message_zh: str
    severity: Severity = Severity.ERROR

    @property
    def cell(self) -> str:
        return sheet_ref(self.sheet, self.row, self.column)

    def says(self, lang: Lang) -> str:
        return self.message_zh if lang is Lang.ZH else self.message


@dataclass(frozen=True, slots=True)
class NewUnit:
    path: Path
    unit_id: str
    name: str
    rows: tuple[int, ...]
    tasks: int
    text: str


@dataclass(frozen=True, slots=True)
class Ingest:
    """What importing a sheet would write, and what stands in the way."""

    sheet: str
    units: tuple[NewUnit, ...]
    problems: tuple[SheetProblem, ...]

    @property
    def has_errors(self) -> bool:
        return any(p.severity is Severity.ERROR for p in self.problems)


@dataclass(frozen=True, slots=True)
class Row:
    """One task row as read: text cells, days, and the column of each field."""

    number: int
    cells: dict[str, Cell]
    columns: dict[str, int]


def plan(sheet: Sheet, *, campaign: Campaign, today: dt.date) -> Ingest:
    """The unit files a sheet makes, each checked; or the problems, by cell, that prevent it."""
    found = _header(sheet)
    if isinstance(found, SheetProblem):
        return Ingest(sheet.name, (), (found,))
    header, columns = found
    missing = [c for c in COLUMNS if c.required and c.field not in columns]
    if missing:
        return Ingest(sheet.name, (), tuple(_missing(sheet.name, header, c) for c in missing))
    rows = [
        Row(number, dict(zip(columns, (_at(cells, i) for i in columns.values()), strict=True)),
            {f: i + 1 for f, i in columns.items()})
        for number, cells in enumerate(sheet.rows[header:], header + 1)
        if any(text_of(_at(cells, i)) for i in columns.values())
    ]
    problems: list[SheetProblem] = []
    groups = _group(rows, sheet.name, campaign, problems)
    existing = _existing(campaign)
    taken = {unit_id for unit_id, _ in existing.values()} | _file_stems(existing)
    units = []
    for group in groups:
        if group.name in existing:
            problems.append(_problem(sheet.name, group.first, "unit", "import.exists",
                                     name=group.name, file=display(existing[group.name][1])))
            continue
        absent = [m for m in campaign.measures if m.key not in group.measures]
        for measure in absent:
            problems.append(_problem(sheet.name, group.first, "measure", "import.no_measure",
                                     name=group.name, measure=measure.name))
        if absent or any(f not in group.fields for f in ("county", "level", "contact")):
            continue
        unit, lines = _new_unit(group, campaign, taken)
        taken.add(unit.unit_id)
        result = check_unit(unit.text.encode(), file=display(unit.path), campaign=campaign,
                            today=today, build=False)
        problems += (_traced(p, sheet.name, group, lines) for p in result.problems)
        units.append(unit)
    if not rows and not problems:
        problems.append(_problem(sheet.name, header, "unit", "import.no_rows", first=header + 1))
    return Ingest(sheet.name, tuple(units), tuple(problems))


def _at(cells: tuple[Cell, ...], index: int) -> Cell:
    return cells[index] if index < len(cells) else ""


def _normal(text: str) -> str:
    """A header as compared: full-width forms folded, spaces, stars and colons dropped."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(c for c in folded if not c.isspace() and c not in "*::")


_NAMES = {_normal(name): column.field for column in COLUMNS for name in column.names}


def _header(sheet: Sheet) -> tuple[int, dict[str, int]] | SheetProblem:
    """The header row (1-based) among the first rows, and each field's 0-based column."""
    best: tuple[int, dict[str, int]] = (0, {})
    for number, cells in enumerate(sheet.rows[:HEADER_ROWS], 1):
        columns: dict[str, int] = {}
        for index, cell in enumerate(cells):
            field = _NAMES.get(_normal(text_of(cell)))
            if field and field not in columns:
                columns[field] = index
        if len(columns) > len(best[1]):
            best = (number, columns)
    if len(best[1]) < 2:
        return _problem(sheet.name, 1, None, "import.no_header", rows=HEADER_ROWS,
                        names=_names(c for c in COLUMNS if c.required))
    return best


def _names(columns: Iterator[Column] | tuple[Column, ...]) -> str:
    return ", ".join(column.names[0] for column in columns)


def _missing(sheet: str, header: int, column: Column) -> SheetProblem:
    names = " / ".join(column.names)
    return _problem(sheet, header, None, "import.no_column", column=column.names[0], names=names)


def _problem(sheet: str, row: int | Row, field: str | None, key: str, **values: object
             ) -> SheetProblem:
    number = row.number if isinstance(row, Row) else row
    column = row.columns.get(field or "", 1) if isinstance(row, Row) else 1
    return SheetProblem(sheet, number, column, key.removeprefix("import."),
                        t(key, Lang.EN, **values), t(key, Lang.ZH, **values))


def _group(rows: list[Row], sheet: str, campaign: Campaign, problems: list[SheetProblem]
           ) -> list[UnitRows]:
    """Rows by unit, in the order units first appear; a blank unit cell continues the
    unit above (what merged cells read as), as a blank measure continues its measure."""
    groups: dict[str, UnitRows] = {}
    current: UnitRows | None = None
    measure = ""
    for row in rows:
        name = text_of(row.cells["unit"])
        if name:
            if len(name) > MAX_TEXT:
                problems.append(_problem(sheet, row, "unit", "import.too_long", length=len(name),
                                         limit=MAX_TEXT))
                continue
            current = groups.setdefault(name, UnitRows(name, row))
            if current.first is not row:
                measure = ""
        elif current is None:
            problems.append(_problem(sheet, row, "unit", "import.empty", column=_header_of("unit")))
            continue
        assert current is not None
        ok = _unit_fields(row, current, sheet, campaign, problems)
        key = _measure(row, campaign, sheet, problems, measure)
        if key:
            measure = key
        task = _task(row, sheet, problems)
        current.rows.append(row)
        if ok and key and task is not None and not current.add(key, row, task):
            problems.append(_problem(sheet, row, "task", "import.second_own",
                                     name=current.name, column=_header_of("task")))
    return list(groups.values())


def _header_of(field: str) -> str:
    return next(c.names[0] for c in COLUMNS if c.field == field)


def _unit_fields(row: Row, unit: UnitRows, sheet: str, campaign: Campaign,
                 problems: list[SheetProblem]) -> bool:
    """The unit's county, level and contact from this row; False if one is wrong here."""
    ok = True
    for field in ("county", "level", "contact"):
        text = text_of(row.cells[field])
        if not text:
            if field not in unit.fields and unit.first is row:
                problems.append(_problem(sheet, row, field, "import.empty",
                                         column=_header_of(field)))
                ok = False
            continue
        value: str | Level | None = text
        if field == "county":
            county = campaign.county(text)
            value = county.code if county else None
            if county is None:
                known = [c.name for c in campaign.counties] + [c.code for c in campaign.counties]
                guess = did_you_mean(text, known)
                problems.append(_problem(sheet, row, field, "import.county", value=text,
                                         hint=_hint(guess)))
        elif field == "level":
            value = LEVELS.get(text.casefold())
            if value is None:
                problems.append(_problem(sheet, row, field, "import.level", value=text,
                                         known="县级, 县处级, 基层, county, grassroots"))
        elif len(text) > MAX_TEXT:
            problems.append(_problem(sheet, row, field, "import.too_long", length=len(text),
                                     limit=MAX_TEXT))
            value = None
        if value is None:
            ok = False
            continue
        before = unit.fields.setdefault(field, (value, row.number))
        if before[0] != value:
            problems.append(_problem(sheet, row, field, "import.conflict", name=unit.name,
                                     column=_header_of(field), value=text, row=before[1]))
            ok = False
    return ok


def _hint(guess: str | None) -> str:
    return f" ({guess}?)" if guess else ""


def _measure(row: Row, campaign: Campaign, sheet: str, problems: list[SheetProblem],
             above: str) -> str | None:
    text = text_of(row.cells["measure"])
    if not text:
        if not above:
            problems.append(_problem(sheet, row, "measure", "import.empty",
                                     column=_header_of("measure")))
        return above or None
    found = campaign.measure(text) or campaign.measure(text.casefold())
    if found is None:
        known = [m.name for m in campaign.measures] + [m.key for m in campaign.measures]
        problems.append(_problem(sheet, row, "measure", "import.measure", value=text,
                                 hint=_hint(did_you_mean(text, known)),
                                 known=", ".join(m.name for m in campaign.measures)))
        return None
    return found.key


def _task(row: Row, sheet: str, problems: list[SheetProblem]) -> dict[str, object] | None:
    """The task's values (no title: the measure's own owner and due), or None if wrong."""
    values: dict[str, object] = {}
    count = len(problems)
    for field in ("task", "owner", "note"):
        text = text_of(row.cells.get(field, ""))
        if len(text) > MAX_CELL:
            problems.append(_problem(sheet, row, field, "import.too_long", length=len(text),
                                     limit=MAX_CELL))
        elif text:
            values[{"task": "title"}.get(field, field)] = text
    if "owner" not in values and len(problems) == count:
        problems.append(_problem(sheet, row, "owner", "import.owner", column=_header_of("owner")))
    for field in ("due", "done"):
        cell = row.cells.get(field, "")
        if text_of(cell) == "":
            if field == "due":
                problems.append(_problem(sheet, row, field, "import.empty",
                                         column=_header_of(field)))
            continue
        day = day_of(cell)
        if isinstance(day, Reason):
            problems.append(SheetProblem(sheet, row.number, row.columns[field], "date",
                                         _date_message(field, day, Lang.EN),
                                         _date_message(field, day, Lang.ZH)))
        else:
            values[field] = day
    return values if len(problems) == count else None


def _date_message(field: str, reason: Reason, lang: Lang) -> str:
    return t("import.date", lang, column=_header_of(field), why=reason.says(lang))


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


def _new_unit(
    group: UnitRows, campaign: Campaign, taken: set[str]
) -> tuple[NewUnit, Lines]:
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


def write_units(units: tuple[NewUnit, ...]) -> None:
    """Create every file, never over one; if one cannot be made, remove those made before
    it, so that a sheet is imported whole or not at all."""
    from checklist.scaffold import create

    made: list[Path] = []
    try:
        for unit in units:
            create(unit.path, unit.text.encode())
            made.append(unit.path)
    except BaseException:
        for path in made:
            path.unlink(missing_ok=True)
        raise
