"""One table, four ways: rich for a terminal, aligned text for pipes and cron, Markdown, CSV."""

from __future__ import annotations

import csv
import enum
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from checklist.render import console
from checklist.words import markdown_text, printable

if TYPE_CHECKING:
    from rich.table import Table as RichTable


class Mark(enum.Enum):
    """How a row should stand out, where the output can show it."""

    NONE = ""
    BAD = "bad"
    WARN = "warn"
    TOTAL = "total"


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    numeric: bool = False
    max_width: int | None = None  # longer cells are cut with an ellipsis
    blank_zero: bool = False  # on screen, a 0 is left blank so the other numbers stand out

    def screen(self, cell: str) -> str:
        return "" if self.blank_zero and cell == "0" else cell


@dataclass(frozen=True, slots=True)
class Table:
    columns: tuple[Column, ...]
    rows: tuple[tuple[str, ...], ...]
    marks: tuple[Mark, ...] = ()
    title: str | None = None

    def mark(self, i: int) -> Mark:
        return self.marks[i] if i < len(self.marks) else Mark.NONE


RICH_MAX_ROWS = 200

_STYLES = {Mark.BAD: "bold red", Mark.WARN: "yellow", Mark.TOTAL: "bold", Mark.NONE: ""}


def write(table: Table, output_format: str, out: IO[str]) -> None:
    """Write the table as csv, markdown or (anything else) for a terminal."""
    if output_format == "csv":
        write_csv(table, out)
    elif output_format == "markdown":
        write_markdown(table, out)
    else:
        write_terminal(table, out)


def write_terminal(table: Table, out: IO[str] | None = None) -> None:
    """A rich table for a person at a terminal; aligned plain text when nobody is."""
    screen = console(out)
    # rich needs about half a second for a 500-row table; padded text takes milliseconds and
    # reads as well in a long listing, so that is what a person scrolling through gets.
    if not screen.is_terminal or len(table.rows) > RICH_MAX_ROWS:
        write_plain(table, screen.file)
        return
    screen.print(to_rich(table))


def to_rich(table: Table) -> RichTable:
    """The table as rich draws it on a terminal: marked rows styled, the total set apart."""
    from rich import box
    from rich.table import Table as RichTable
    from rich.text import Text

    grid = RichTable(
        box=box.SIMPLE_HEAD,
        title=Text(printable(table.title)) if table.title else None,
        title_justify="left",
        header_style="bold",
    )
    for i, column in enumerate(table.columns):
        # Only the long text columns may shrink (with an ellipsis); dates, codes and numbers
        # keep their width, so a narrow terminal never squeezes them out of sight.
        widest = max([_width(column.header), *(_width(row[i]) for row in table.rows)])
        grid.add_column(
            Text(printable(column.header)),
            justify="right" if column.numeric else "left",
            overflow="ellipsis",
            no_wrap=True,
            max_width=column.max_width,
            min_width=min(8, widest) if column.max_width else widest,
        )
    for i, row in enumerate(table.rows):
        mark = table.mark(i)
        last = i + 1 == len(table.rows) or table.mark(i + 1) is Mark.TOTAL
        grid.add_row(
            *(Text(printable(c.screen(cell))) for cell, c in zip(row, table.columns, strict=True)),
            style=_STYLES[mark],
            end_section=mark is Mark.TOTAL or (last and i + 1 < len(table.rows)),
        )
    return grid


def _width(text: str) -> int:
    if text.isascii():  # dates, numbers, codes: one cell per character
        return len(text)
    from rich.cells import cell_len

    return cell_len(text)


def _cut(text: str, limit: int | None) -> str:
    from rich.cells import set_cell_size

    if limit is None or _width(text) <= limit:
        return text
    # set_cell_size pads where a wide character would not fit; the ellipsis goes right after.
    return set_cell_size(text, limit - 1).rstrip() + "…"


def write_plain(table: Table, out: IO[str]) -> None:
    """Columns padded by display width, so wide Chinese characters line up, with no escapes."""
    cells = [
        [
            _cut(printable(col.screen(c)), col.max_width)
            for c, col in zip(row, table.columns, strict=True)
        ]
        for row in table.rows
    ]
    headers = [printable(c.header) for c in table.columns]
    widths = [max([_width(h), *(_width(r[i]) for r in cells)]) for i, h in enumerate(headers)]

    def line(values: list[str]) -> str:
        parts = []
        for value, width, column in zip(values, widths, table.columns, strict=True):
            pad = " " * (width - _width(value))
            parts.append(pad + value if column.numeric else value + pad)
        return "  ".join(parts).rstrip()

    if table.title:
        out.write(printable(table.title) + "\n\n")
    out.write(line(headers) + "\n")
    out.write("  ".join("─" * w for w in widths).rstrip() + "\n")
    for i, row in enumerate(cells):
        if table.mark(i) is Mark.TOTAL:
            out.write("  ".join("─" * w for w in widths).rstrip() + "\n")
        out.write(line(row) + "\n")


def write_markdown(table: Table, out: IO[str]) -> None:
    """A GitHub-flavoured Markdown table; file text is escaped so it cannot add HTML or markup."""
    if table.title:
        out.write(f"**{markdown_text(table.title)}**\n\n")
    out.write("| " + " | ".join(markdown_text(c.header) for c in table.columns) + " |\n")
    out.write("|" + "|".join("---:" if c.numeric else "---" for c in table.columns) + "|\n")
    for i, row in enumerate(table.rows):
        cells = [markdown_text(cell) for cell in row]
        if table.mark(i) is Mark.TOTAL:
            cells = [f"**{c}**" if c else c for c in cells]
        out.write("| " + " | ".join(cells) + " |\n")


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def write_csv(table: Table, out: IO[str]) -> None:
    """CSV that Excel and WPS open as UTF-8 (with a BOM) and never evaluate as formulas."""
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    # Headers are text even above numbers: a measure named "=1+1" must not compute.
    writer.writerow([_neutral(printable(c.header)) for c in table.columns])
    for row in table.rows:
        writer.writerow(
            [
                _neutral(printable(cell), numeric=column.numeric)
                for cell, column in zip(row, table.columns, strict=True)
            ]
        )


def _neutral(cell: str, *, numeric: bool = False) -> str:
    # A leading apostrophe makes spreadsheets show =1+1 as text instead of computing it.
    if not numeric and cell.startswith(_FORMULA_START):
        return "'" + cell
    return cell
