"""Sheets of typed cells written as one Excel workbook a clerk can filter and print.

Every cell is a value: text from files is written as a string and never becomes a
formula, a link or a number (XlsxWriter's guesses are all switched off); dates,
counts and percentages are real numbers with a format, so a spreadsheet sorts and
sums them. Only the export code path imports xlsxwriter.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checklist.i18n import Lang, t
from checklist.model import State
from checklist.render.table import Mark
from checklist.render.table import _width as cell_width
from checklist.words import printable


class Kind(enum.Enum):
    """What a column holds, and so how its cells are written and formatted."""

    TEXT = "text"
    CODE = "code"  # an identifier such as 410102 or 0371: text, kept as written
    COUNT = "count"
    DATE = "date"
    PERCENT = "percent"  # a share in 0..1, shown as 12.5%
    POINTS = "points"  # percentage points, one decimal: 12.5
    STATE = "state"  # a State, written in words and coloured


Value = str | int | float | dt.date | State | None


@dataclass(frozen=True, slots=True)
class Field:
    header: str
    kind: Kind = Kind.TEXT


@dataclass(frozen=True, slots=True)
class Sheet:
    """One worksheet: a header row, data rows, and (below the filter) an optional total row."""

    name: str
    fields: tuple[Field, ...]
    rows: tuple[tuple[Value, ...], ...]
    marks: tuple[Mark, ...] = ()  # per row: BAD (worst), WARN (missing units), TOTAL

    def mark(self, i: int) -> Mark:
        return self.marks[i] if i < len(self.marks) else Mark.NONE


@dataclass(frozen=True, slots=True)
class Heading:
    """What every printed page says at its top: whose workbook, and on which day."""

    campaign: str
    as_of: dt.date
    lang: Lang


# Widths in Excel's units (about one digit, half a Chinese character): room for two
# digits of padding, and a cap past which long titles wrap instead of running on.
MIN_WIDTH = 6
MAX_WIDTH = 60
_PAD = 2
EXCEL_NAME_MAX = 31
_NOT_IN_NAMES = re.compile(r"[\[\]:*?/\\]")
# Excel's own colour pairs for good, neutral and bad cells, so the ledger reads as users expect.
_STATE_COLOURS = {
    State.DONE: ("#C6EFCE", "#006100"),
    State.DONE_LATE: ("#DDEBF7", "#1F4E78"),
    State.OVERDUE: ("#FFC7CE", "#9C0006"),
    State.DUE_SOON: ("#FFEB9C", "#9C5700"),
    State.OPEN: (None, None),
}
_MARK_COLOURS = {Mark.BAD: ("#FFC7CE", "#9C0006"), Mark.WARN: ("#FFEB9C", "#9C5700")}
_NUMBER_FORMATS = {
    Kind.COUNT: "0",
    Kind.DATE: "yyyy-mm-dd",
    Kind.PERCENT: "0.0%",
    Kind.POINTS: "0.0",
}
A4 = 9  # Excel's paper code


def sheet_names(wanted: Sequence[str], lang: Lang) -> list[str]:
    """Names Excel accepts, in order: at most 31 characters, none of []:*?/\\, all different.

    Excel compares names without regard to case; a clash gets a number, (2), (3), ….
    """
    taken: set[str] = set()
    names = []
    for name in wanted:
        base = _NOT_IN_NAMES.sub("_", printable(name)).strip().strip("'") or t("xlsx.sheet", lang)
        if base.casefold() == "history":  # Excel keeps this name for itself
            base += "_"
        candidate, n = base[:EXCEL_NAME_MAX].rstrip("'"), 1  # nor at the end once cut
        while candidate.casefold() in taken:
            n += 1
            suffix = f"({n})"
            candidate = base[: EXCEL_NAME_MAX - len(suffix)] + suffix
        taken.add(candidate.casefold())
        names.append(candidate)
    return names


def shown(value: Value, kind: Kind, lang: Lang) -> str:
    """The text a cell shows, for measuring its width."""
    if value is None:
        return ""
    if isinstance(value, State):
        return t(f"state.{value}", lang)
    if isinstance(value, dt.date):
        return value.isoformat()
    if kind is Kind.PERCENT and isinstance(value, float):
        return f"{value * 100:.1f}%"
    if kind is Kind.POINTS and isinstance(value, float):
        return f"{value:.1f}"
    return printable(str(value))


def column_widths(sheet: Sheet, lang: Lang) -> list[int]:
    """Each column as wide as its widest cell, counting a Chinese character as two."""
    widths = []
    for k, field in enumerate(sheet.fields):
        # Autofilter buttons sit over the header's right end: two more for them.
        widest = cell_width(printable(field.header)) + 2
        if field.kind in (Kind.TEXT, Kind.STATE, Kind.CODE):
            # A city's sheets repeat the same names 170,000 times: each is measured once.
            for value in {row[k] for row in sheet.rows}:
                widest = max(widest, cell_width(shown(value, field.kind, lang)))
        else:  # numbers and dates have a known width
            widest = max(widest, 10 if field.kind is Kind.DATE else 7)
        widths.append(min(max(widest + _PAD, MIN_WIDTH), MAX_WIDTH))
    return widths


def header_text(text: str) -> str:
    """Text for a page header: & starts a header code, so it is doubled; at most 100 characters."""
    return printable(text)[:100].replace("&", "&&")


def workbook_bytes(sheets: Sequence[Sheet], heading: Heading) -> bytes:
    """The workbook as bytes, for an atomic write: the file is whole or not there at all.

    XlsxWriter's constant-memory mode writes each row out as soon as the next begins,
    into a temporary folder: a city's 170,000 rows would otherwise take half a gigabyte.
    """
    import tempfile

    import xlsxwriter

    with tempfile.TemporaryDirectory(prefix="checklist-xlsx-") as folder:
        path = Path(folder) / "workbook.xlsx"
        book = xlsxwriter.Workbook(
            str(path),
            {
                "constant_memory": True,
                "tmpdir": folder,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        formats = _Formats(book)
        names = sheet_names([s.name for s in sheets], heading.lang)
        for sheet, name in zip(sheets, names, strict=True):
            _write_sheet(book.add_worksheet(name), sheet, heading, formats)
        book.close()
        return path.read_bytes()


class _Formats:
    """The workbook's formats, made once: XlsxWriter keeps one per distinct look."""

    def __init__(self, book: Any) -> None:
        self.book = book
        self.cache: dict[tuple[Kind | str, ...], Any] = {}

    def get(self, kind: Kind, *, mark: Mark = Mark.NONE, state: State | None = None) -> Any:
        key: tuple[Kind | str, ...] = (kind, mark.value, str(state or ""))
        found = self.cache.get(key)
        if found is None:
            found = self.cache[key] = self.book.add_format(self._properties(kind, mark, state))
        return found

    def _properties(self, kind: Kind, mark: Mark, state: State | None) -> dict[str, Any]:
        properties: dict[str, Any] = {"valign": "top"}
        if kind in _NUMBER_FORMATS:
            properties["num_format"] = _NUMBER_FORMATS[kind]
        if kind in (Kind.TEXT, Kind.CODE):
            properties["text_wrap"] = True
        elif kind in (Kind.DATE, Kind.STATE):  # apart from their neighbours, easy to scan
            properties["align"] = "center"
        fill, font = _STATE_COLOURS[state] if state else _MARK_COLOURS.get(mark, (None, None))
        if fill:
            properties |= {"bg_color": fill, "font_color": font}
        if mark is Mark.BAD:
            properties["bold"] = True
        if mark is Mark.TOTAL:
            properties |= {"bold": True, "top": 1}
        return properties

    def header(self) -> Any:
        key = ("header",)
        if key not in self.cache:
            self.cache[key] = self.book.add_format(
                {
                    "bold": True,
                    "bg_color": "#D9D9D9",
                    "bottom": 1,
                    "valign": "top",
                    "text_wrap": True,
                }
            )
        return self.cache[key]


def _write_sheet(page: Any, sheet: Sheet, heading: Heading, formats: _Formats) -> None:
    lang = heading.lang
    if len(sheet.rows) >= EXCEL_ROWS:  # XlsxWriter would drop the rest without a word
        from checklist.errors import UsageError

        raise UsageError.said(
            "xlsx.too_many_rows", sheet=printable(sheet.name), rows=len(sheet.rows)
        )
    for k, (field, width) in enumerate(zip(sheet.fields, column_widths(sheet, lang), strict=True)):
        page.set_column(k, k, width)
        page.write_string(0, k, printable(field.header), formats.header())
    _write_rows(page, sheet, formats, lang)
    last_col = len(sheet.fields) - 1
    filtered = sum(m is not Mark.TOTAL for m in (sheet.mark(i) for i in range(len(sheet.rows))))
    page.freeze_panes(1, 0)
    page.autofilter(0, 0, filtered, last_col)  # the total row stays below the filter
    page.set_landscape()
    page.set_paper(A4)
    page.repeat_rows(0)
    page.fit_to_pages(1, 0)  # every column on the page's width; as many pages down as it takes
    page.set_margins(left=0.4, right=0.4, top=0.75, bottom=0.6)
    page.set_header(
        f"&L{header_text(heading.campaign)}&C&A"
        f"&R{header_text(t('as_of', lang, as_of=heading.as_of.isoformat()))}"
    )
    page.set_footer(f"&C{t('xlsx.footer', lang)}")


_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0 (in its 1900 system, from March 1900 on)
_FIRST_DAY = dt.date(1900, 3, 1)  # before it Excel has no dates (and a false 1900-02-29)
EXCEL_ROWS = 1_048_576


def _write_rows(page: Any, sheet: Sheet, formats: _Formats, lang: Lang) -> None:
    """Every row, one cell at a time: the loop a city's ledger spends most of its time in."""
    kinds = [f.kind for f in sheet.fields]
    plain = [formats.get(kind) for kind in kinds]
    words = {s: t(f"state.{s}", lang) for s in State}
    coloured = {s: formats.get(Kind.STATE, state=s) for s in State}
    write_string, write_number, write_blank = page.write_string, page.write_number, page.write_blank
    for r, row in enumerate(sheet.rows, 1):
        mark = sheet.mark(r - 1)
        looks = plain if mark is Mark.NONE else [formats.get(kind, mark=mark) for kind in kinds]
        for k, value in enumerate(row):
            if value is None:
                if mark is not Mark.NONE:  # a marked row is coloured across
                    write_blank(r, k, None, looks[k])
            elif isinstance(value, State):  # before str: a State is one
                write_string(r, k, words[value], coloured[value])
            elif isinstance(value, str):
                write_string(r, k, printable(value), looks[k])
            elif (
                isinstance(value, dt.date) and value >= _FIRST_DAY
            ):  # a day number, shown as a date
                write_number(r, k, (value - _EPOCH).days, looks[k])
            elif isinstance(value, dt.date):  # a typo'd year: shown as written, not as ####
                write_string(r, k, value.isoformat(), looks[k])
            else:
                write_number(r, k, value, looks[k])
