"""One sheet of a workbook as plain rows, and what a cell says as text or as a day.

python-calamine reads xlsx, xls and ods as Excel and WPS write them (WPS's wrong size
headers included); it is imported only here, by ``checklist import``, so no other
command pays for loading it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checklist.archive import unpacked
from checklist.dates import days_in_month
from checklist.errors import UsageError
from checklist.i18n import Lang, t
from checklist.load.source import display
from checklist.words import did_you_mean

MAX_ROWS = 100_000
MAX_FILE = 50 * 1024 * 1024  # a ledger of 100,000 rows is about 5 MiB
# What its parts may unpack to: a 100,000-row ledger's sheet is about 60 MiB of XML; a zip
# bomb of a few hundred kilobytes unpacks to gigabytes, which calamine would read.
MAX_UNPACKED = 512 * 1024 * 1024
MAX_PARTS = 10_000
HEADER_ROOM = 10  # title rows above the header, not counted
MAX_CELL = 1000  # characters of one cell; a task's title is rarely over a hundred
Cell = str | float | int | bool | dt.date | dt.datetime | dt.time | dt.timedelta

_EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 is 1900-01-01 (Lotus's leap-year bug kept)
_SERIALS = (1, 2_958_465)  # 1900-01-01 to 9999-12-31
_TEXT_DATE = re.compile(
    r"(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?(?:\s+0{1,2}:00(?::00)?)?"
)


@dataclass(frozen=True, slots=True)
class Sheet:
    """A sheet's cells from A1, row by row; an empty cell is ""."""

    name: str
    rows: tuple[tuple[Cell, ...], ...]


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a cell is not what its column needs: a catalogue key and its values."""

    key: str
    values: tuple[tuple[str, object], ...] = ()

    def says(self, lang: Lang) -> str:
        return t(self.key, lang, **dict(self.values))


def read_sheet(path: Path, *, sheet: str | None) -> Sheet:
    """The named sheet (default: the first visible one) of the workbook at ``path``.

    UsageError, naming the file, for anything that is not a readable workbook: an empty
    file, CSV or other text, a broken zip, a password, a sheet of more than MAX_ROWS rows.
    """
    name = display(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as file:
            head = file.read(512)
    except OSError as error:
        raise UsageError.said("import.unreadable", file=name, why=error.strerror) from None
    if not size:
        raise UsageError.said("import.empty_file", file=name)
    if size > MAX_FILE:
        raise UsageError.said("import.too_big", file=name, mib=size // 1024 // 1024)
    parts, inside = unpacked(path) or (0, 0)  # xlsx and ods are zips; xls is not
    if parts > MAX_PARTS or inside > MAX_UNPACKED:
        mib = MAX_UNPACKED // 1024 // 1024
        raise UsageError.said("import.unpacks_too_big", file=name, mib=mib)
    book = _open(path, name, head)
    try:
        names = [m.name for m in book.sheets_metadata if str(m.typ).endswith("WorkSheet")]
        if sheet is None:
            visible = [m.name for m in book.sheets_metadata if str(m.visible).endswith("Visible")]
            chosen = next((n for n in names if n in visible), names[0] if names else None)
            if chosen is None:
                raise UsageError.said("import.no_sheets", file=name)
            sheet = chosen
        if sheet not in names:
            guess = did_you_mean(sheet, names)
            said = {"file": name, "sheet": sheet, "sheets": ", ".join(names)}
            en, zh = (
                t("import.no_such_sheet", speak, **said)
                + (t("import.did_you_mean", speak, guess=guess) if guess else "")
                for speak in (Lang.EN, Lang.ZH)
            )
            raise UsageError(en, zh=zh)
        found = book.get_sheet_by_name(sheet)
        height = found.end[0] + 1 if found.end else 0
        if height > MAX_ROWS + HEADER_ROOM:
            raise UsageError.said(
                "import.too_many_rows", file=name, sheet=sheet, rows=height, limit=f"{MAX_ROWS:,}"
            )
        rows = found.to_python(skip_empty_area=False)
    except UsageError:
        raise
    except Exception as error:  # calamine's own errors, a panic of its Rust code included
        raise UsageError.said("import.broken", file=name, why=_first_line(error)) from None
    return Sheet(sheet, tuple(tuple(row) for row in rows))


def _open(path: Path, name: str, head: bytes) -> Any:
    from python_calamine import CalamineWorkbook, PasswordError

    try:
        return CalamineWorkbook.from_path(str(path))
    except PasswordError:
        raise UsageError.said("import.password", file=name) from None
    except Exception as error:
        if not head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):  # zip, or old .xls
            raise UsageError.said("import.not_workbook", file=name) from None
        raise UsageError.said("import.broken", file=name, why=_first_line(error)) from None


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0][:200]


def text_of(cell: Cell) -> str:
    """What a cell says, as text: a number typed in a text column (410102) loses its ".0"."""
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.datetime) and cell.time() == dt.time():
        return cell.date().isoformat()
    if isinstance(cell, dt.date | dt.time):
        return cell.isoformat()
    return str(cell).strip()


def day_of(cell: Cell) -> dt.date | Reason:
    """The day a cell holds: a date cell, an Excel serial number, or text such as
    2023-10-31, 2023/10/31, 2023.10.31 and 2023年10月31日; else why it is none."""
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    if isinstance(cell, bool | dt.time | dt.timedelta):
        return Reason("import.date.not", (("value", text_of(cell)),))
    if isinstance(cell, int | float):
        if not float(cell).is_integer() or not _SERIALS[0] <= cell <= _SERIALS[1]:
            return Reason("import.date.serial", (("value", text_of(cell)),))
        return _EXCEL_EPOCH + dt.timedelta(days=int(cell))
    text = cell.strip()
    match = _TEXT_DATE.fullmatch(text)
    if not match:
        return Reason("import.date.not", (("value", _short(text)),))
    year, month, day = (int(part) for part in match.groups())
    last = days_in_month(year, month)
    if last is None:
        return Reason("import.date.month", (("value", text), ("month", month)))
    if not 1 <= day <= last:
        return Reason(
            "import.date.day", (("value", text), ("year", year), ("month", month), ("days", last))
        )
    try:
        return dt.date(year, month, day)
    except ValueError:  # the year 0000, which no calendar day has
        return Reason("import.date.not", (("value", _short(text)),))


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:39] + "…"


def cell_name(row: int, column: int) -> str:
    """A1-style name of a 1-based row and column: (12, 5) → E12."""
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row}"


def sheet_ref(sheet: str, row: int, column: int) -> str:
    """Where a cell is, as Excel writes it: Sheet1!E12, 'My sheet'!E12."""
    plain = re.fullmatch(r"[A-Za-z_\u4e00-\u9fff][\w\u4e00-\u9fff.]*", sheet)
    name = sheet if plain else "'" + sheet.replace("'", "''") + "'"
    return f"{name}!{cell_name(row, column)}"
