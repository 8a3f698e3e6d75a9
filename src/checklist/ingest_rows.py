"""A ledger sheet's rows, read by their header: each cell checked, rows grouped by unit.

Every problem is a SheetProblem at the cell to change, in both languages.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from checklist.i18n import Lang, t
from checklist.ingest_text import UnitRows
from checklist.model import Campaign, Level, Severity
from checklist.scaffold import MAX_TEXT
from checklist.words import did_you_mean
from checklist.workbook import MAX_CELL, Cell, Reason, Sheet, day_of, sheet_ref, text_of

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
class Table:
    """The header row (1-based), the rows below it that hold anything, or why there are none."""

    header: int
    rows: tuple[Row, ...] = ()
    problems: tuple[SheetProblem, ...] = ()


@dataclass(frozen=True, slots=True)
class Row:
    """One task row as read: text cells, days, and the column of each field."""

    number: int
    cells: dict[str, Cell]
    columns: dict[str, int]  # 1-based
    headers: dict[str, str]  # each field's header, as the sheet writes it


def read_rows(sheet: Sheet) -> Table:
    """The sheet's rows, read by the header found among its first rows."""
    found = _header(sheet)
    if isinstance(found, SheetProblem):
        return Table(0, problems=(found,))
    header, columns = found
    headers = {f: text_of(sheet.rows[header - 1][i]) for f, i in columns.items()}
    missing = [c for c in COLUMNS if c.required and c.field not in columns]
    if missing:
        return Table(header, problems=tuple(_missing(sheet.name, header, c) for c in missing))
    rows = tuple(
        Row(
            number,
            dict(zip(columns, (_at(cells, i) for i in columns.values()), strict=True)),
            {f: i + 1 for f, i in columns.items()},
            headers,
        )
        for number, cells in enumerate(sheet.rows[header:], header + 1)
        if any(text_of(_at(cells, i)) for i in columns.values()) and not _repeats(cells, columns)
    )
    return Table(header, rows)


def _repeats(cells: tuple[Cell, ...], columns: dict[str, int]) -> bool:
    """Whether a row is the header again, as a sheet printed on many pages repeats it."""
    fields = [_NAMES.get(_normal(text_of(_at(cells, i)))) for i in columns.values()]
    return (
        all(f == c for f, c in zip(fields, columns, strict=True) if f)
        and fields.count(None) <= len(fields) - 2
    )


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
        return problem(
            sheet.name,
            1,
            None,
            "import.no_header",
            rows=HEADER_ROWS,
            names=_names(c for c in COLUMNS if c.required),
        )
    return best


def _names(columns: Iterator[Column] | tuple[Column, ...]) -> str:
    return ", ".join(column.names[0] for column in columns)


def _missing(sheet: str, header: int, column: Column) -> SheetProblem:
    names = " / ".join(column.names)
    return problem(sheet, header, None, "import.no_column", column=column.names[0], names=names)


def problem(
    sheet: str, row: int | Row, field: str | None, key: str, **values: object
) -> SheetProblem:
    number = row.number if isinstance(row, Row) else row
    column = row.columns.get(field or "", 1) if isinstance(row, Row) else 1
    return SheetProblem(
        sheet,
        number,
        column,
        key.removeprefix("import.").removesuffix(".guess"),
        t(key, Lang.EN, **values),
        t(key, Lang.ZH, **values),
    )


def group_rows(
    rows: tuple[Row, ...], sheet: str, campaign: Campaign, problems: list[SheetProblem]
) -> list[UnitRows]:
    """Rows by unit, in the order units first appear; a blank unit cell continues the
    unit above (what merged cells read as), as a blank measure continues its measure."""
    groups: dict[str, UnitRows] = {}
    current: UnitRows | None = None
    measure = ""
    for row in rows:
        count = len(problems)
        name = text_of(row.cells["unit"])
        if len(name) > MAX_TEXT:
            problems.append(
                problem(sheet, row, "unit", "import.too_long", length=len(name), limit=MAX_TEXT)
            )
        if name:
            if groups.get(name) is not current:
                measure = ""  # a blank measure cell never continues another unit's
            current = groups.setdefault(name, UnitRows(name, row))
        elif current is None:
            if not problems or problems[-1].code != "no_unit":  # once, not for every row
                problems.append(problem(sheet, row, "unit", "import.no_unit"))
            continue
        assert current is not None
        ok = _unit_fields(row, current, sheet, campaign, problems)
        key = _measure(row, campaign, sheet, problems, measure)
        if key:
            measure = key
        task = _task(row, sheet, problems)
        current.rows.append(row)
        if ok and key and task is not None and not current.add(key, row, task):
            problems.append(
                problem(
                    sheet,
                    row,
                    "task",
                    "import.second_own",
                    name=current.name,
                    column=row.headers["task"],
                )
            )
        if len(problems) > count:
            current.broken = True
    return list(groups.values())


def _unit_fields(
    row: Row, unit: UnitRows, sheet: str, campaign: Campaign, problems: list[SheetProblem]
) -> bool:
    """The unit's county, level and contact from this row; False if one is wrong here."""
    ok = True
    for field in ("county", "level", "contact"):
        text = text_of(row.cells[field])
        if not text:
            if field not in unit.fields and unit.first is row:
                problems.append(
                    problem(sheet, row, field, "import.empty", column=row.headers[field])
                )
                ok = False
            continue
        value: str | Level | None = text
        if field == "county":
            county = campaign.county(text)
            value = county.code if county else None
            if county is None:
                known = [c.name for c in campaign.counties] + [c.code for c in campaign.counties]
                guess = did_you_mean(text, known)
                problems.append(
                    problem(
                        sheet,
                        row,
                        field,
                        _guessing("import.county", guess),
                        value=text,
                        guess=guess,
                    )
                )
        elif field == "level":
            value = LEVELS.get(text.casefold())
            if value is None:
                problems.append(
                    problem(
                        sheet,
                        row,
                        field,
                        "import.level",
                        value=text,
                        known="县级, 县处级, 基层, county, grassroots",
                    )
                )
        elif len(text) > MAX_TEXT:
            problems.append(
                problem(sheet, row, field, "import.too_long", length=len(text), limit=MAX_TEXT)
            )
            value = None
        if value is None:
            ok = False
            continue
        before = unit.fields.setdefault(field, (value, row.number))
        if before[0] != value:
            problems.append(
                problem(
                    sheet,
                    row,
                    field,
                    "import.conflict",
                    name=unit.name,
                    column=row.headers[field],
                    value=text,
                    other=before[1],
                )
            )
            ok = False
    return ok


def _guessing(key: str, guess: str | None) -> str:
    """The message's key: the one that names the likely meaning, when there is one."""
    return f"{key}.guess" if guess else key


def _measure(
    row: Row, campaign: Campaign, sheet: str, problems: list[SheetProblem], above: str
) -> str | None:
    text = text_of(row.cells["measure"])
    if not text:
        if not above:
            problems.append(
                problem(sheet, row, "measure", "import.empty", column=row.headers["measure"])
            )
        return above or None
    found = campaign.measure(text) or campaign.measure(text.casefold())
    if found is None:
        known = [m.name for m in campaign.measures] + [m.key for m in campaign.measures]
        guess = did_you_mean(text, known)
        problems.append(
            problem(
                sheet,
                row,
                "measure",
                _guessing("import.measure", guess),
                value=text,
                guess=guess,
                known=", ".join(m.name for m in campaign.measures),
            )
        )
        return None
    return found.key


def _task(row: Row, sheet: str, problems: list[SheetProblem]) -> dict[str, object] | None:
    """The task's values (no title: the measure's own owner and due), or None if wrong."""
    values: dict[str, object] = {}
    count = len(problems)
    for field in ("task", "owner", "note"):
        text = text_of(row.cells.get(field, ""))
        limit = MAX_TEXT if field == "owner" else MAX_CELL
        if len(text) > limit:
            problems.append(
                problem(sheet, row, field, "import.too_long", length=len(text), limit=limit)
            )
        elif text:
            values[{"task": "title"}.get(field, field)] = text
    if "owner" not in values and len(problems) == count:
        problems.append(problem(sheet, row, "owner", "import.owner", column=row.headers["owner"]))
    for field in ("due", "done"):
        cell = row.cells.get(field, "")
        if text_of(cell) == "":
            if field == "due":
                problems.append(
                    problem(sheet, row, field, "import.empty", column=row.headers[field])
                )
            continue
        day = day_of(cell)
        if isinstance(day, Reason):
            problems.append(
                SheetProblem(
                    sheet,
                    row.number,
                    row.columns[field],
                    "date",
                    _date_message(row.headers[field], day, Lang.EN),
                    _date_message(row.headers[field], day, Lang.ZH),
                )
            )
        else:
            values[field] = day
    return values if len(problems) == count else None


def _date_message(header: str, reason: Reason, lang: Lang) -> str:
    return t("import.date", lang, column=header, why=reason.says(lang))
