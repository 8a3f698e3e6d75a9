"""One table, four ways: rich for a terminal, aligned text for pipes and cron, Markdown, CSV."""

from __future__ import annotations

import csv
import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from checklist.i18n import Lang, t
from checklist.render import console, plain_stream
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
    # On a narrow terminal a long text column shrinks (with an ellipsis) down to shrink_to
    # cells, and then columns are hidden, give_way=1 first; None is never hidden.
    shrink_to: int | None = None
    give_way: int | None = None
    blank_zero: bool = False  # on screen, a 0 is left blank so the other numbers stand out
    code: bool = False  # an identifier such as 410102: in CSV it must come back as written
    tints: tuple[tuple[str, str], ...] = ()  # (cell, rich style): a light's colour on a terminal

    def tint(self, cell: str) -> str:
        return next((style for text, style in self.tints if text == cell), "")

    def screen(self, cell: str) -> str:
        return "" if self.blank_zero and cell == "0" else cell


@dataclass(frozen=True, slots=True)
class Table:
    columns: tuple[Column, ...]
    rows: tuple[tuple[str, ...], ...]
    marks: tuple[Mark, ...] = ()
    title: str | None = None
    lang: Lang = Lang.EN  # of the notes under it

    def mark(self, i: int) -> Mark:
        return self.marks[i] if i < len(self.marks) else Mark.NONE


RICH_MAX_ROWS = 200

_STYLES = {Mark.BAD: "bold red", Mark.WARN: "yellow", Mark.TOTAL: "bold", Mark.NONE: ""}


def write(table: Table, output_format: str, out: IO[str], *, wide: bool = False) -> None:
    """Write the table as csv, markdown or (anything else) for a terminal."""
    if output_format == "csv":
        write_csv(table, out)
    elif output_format == "markdown":
        write_markdown(table, out)
    else:
        write_terminal(table, out, wide=wide)


@dataclass(frozen=True, slots=True)
class Fit:
    """Which columns a terminal shows, how wide each is, and which it hides."""

    shown: tuple[int, ...]
    widths: tuple[int, ...]  # per shown column
    hidden: tuple[str, ...]  # headers, in table order

    def hint(self, lang: Lang = Lang.EN) -> str:
        separator = "、" if lang is Lang.ZH else ", "
        return t("table.hidden", lang, columns=separator.join(self.hidden))


def rich_width(widths: Sequence[int]) -> int:
    """A SIMPLE_HEAD table's width: a space each side of a cell, between cells and at the edges."""
    return sum(widths) + 3 * len(widths) + 1


def plain_width(widths: Sequence[int]) -> int:
    """Plain text's width: two spaces between cells, none at the edges."""
    return sum(widths) + 2 * max(len(widths) - 1, 0)


def fit(table: Table, width: int | None, *, plain: bool = False) -> Fit:
    """Fit the columns into ``width`` cells: shorten long text first, then hide columns.

    None means no width to fit (a pipe, --wide): every column whole.
    """
    measure = plain_width if plain else rich_width
    # Each column's distinct texts measured once: a city's table repeats its counties,
    # measures, dates and owners thousands of times (the columns transposed in C).
    cells = list(zip(*table.rows, strict=True)) or [() for _ in table.columns]
    natural = [
        max([_shown(c.header)[1], *(_shown(c.screen(v))[1] for v in set(values))])
        for c, values in zip(table.columns, cells, strict=True)
    ]
    order = sorted(
        (i for i, c in enumerate(table.columns) if c.give_way is not None),
        key=lambda i: table.columns[i].give_way or 0,
    )
    hidden: list[int] = []
    while True:
        shown = [i for i in range(len(table.columns)) if i not in hidden]
        widths = {i: natural[i] for i in shown}
        if width is not None:
            over = measure(list(widths.values())) - width
            # The widest shrinkable column gives a cell at a time, so two long columns end
            # up sharing the room instead of one of them losing everything.
            while over > 0:
                shrinkable = [
                    i
                    for i in shown
                    if table.columns[i].shrink_to is not None
                    and widths[i] > (table.columns[i].shrink_to or 0)
                ]
                if not shrinkable:
                    break
                widest = max(shrinkable, key=lambda i: widths[i])
                widths[widest] -= 1
                over -= 1
            if over > 0 and len(hidden) < len(order):
                hidden.append(order[len(hidden)])
                continue
        return Fit(
            tuple(shown),
            tuple(widths[i] for i in shown),
            tuple(printable(table.columns[i].header) for i in sorted(hidden)),
        )


def write_terminal(table: Table, out: IO[str] | None = None, *, wide: bool = False) -> None:
    """A rich table for a person at a terminal, fitted to its width; plain text when nobody is.

    A pipe or cron mail has no width to fit, so every name stays whole there whatever
    COLUMNS says; --wide does the same on a terminal.
    """
    stream = plain_stream(out)
    if stream is not None:  # every column whole, and no rich to import
        write_plain(table, stream, fit(table, None, plain=True))
        return
    screen = console(out)
    width = None if wide or not screen.is_terminal else screen.width
    # rich needs about half a second for a 500-row table; padded text takes milliseconds and
    # reads as well in a long listing, so that is what a person scrolling through gets.
    if not screen.is_terminal or len(table.rows) > RICH_MAX_ROWS:
        layout = fit(table, width, plain=True)
        write_plain(table, screen.file, layout)
    else:
        layout = fit(table, width)
        # When even the columns that never give way are wider than the terminal, the rows run
        # past its edge rather than rich squeezing the dates and numbers out of sight.
        screen.width = max(screen.width, rich_width(layout.widths))
        screen.print(to_rich(table, layout), crop=False)
    if layout.hidden:
        write_note(layout.hint(table.lang), screen.file)


def write_note(text: str, out: IO[str]) -> None:
    """A line under a table, wrapped at a terminal's edge by words, whole in a pipe."""
    stream = plain_stream(out)
    if stream is not None:
        stream.write(text + "\n")
        return
    screen = console(out)
    if not screen.is_terminal:
        screen.file.write(text + "\n")
        return
    from rich.text import Text

    screen.print(Text(text), soft_wrap=False)


def to_rich(table: Table, layout: Fit | None = None) -> RichTable:
    """The table as rich draws it on a terminal: marked rows styled, the total set apart."""
    from rich import box
    from rich.table import Table as RichTable
    from rich.text import Text

    layout = layout or fit(table, None)
    keep = layout.shown
    grid = RichTable(
        box=box.SIMPLE_HEAD,
        title=Text(printable(table.title)) if table.title else None,
        title_justify="left",
        header_style="bold",
    )
    for i, width in zip(keep, layout.widths, strict=True):
        column = table.columns[i]
        # Widths are fixed by fit(); rich only draws, so it never wraps a row.
        grid.add_column(
            Text(printable(column.header)),
            justify="right" if column.numeric else "left",
            overflow="ellipsis",
            no_wrap=True,
            width=width,
        )
    for i, row in enumerate(table.rows):
        mark = table.mark(i)
        last = i + 1 == len(table.rows) or table.mark(i + 1) is Mark.TOTAL
        columns = table.columns
        grid.add_row(
            *(
                Text(_cut(printable(columns[k].screen(row[k])), w), style=columns[k].tint(row[k]))
                for k, w in zip(keep, layout.widths, strict=True)
            ),
            style=_STYLES[mark],
            end_section=mark is Mark.TOTAL or (last and i + 1 < len(table.rows)),
        )
    return grid


# Printable ASCII and the wide characters of Chinese text (CJK punctuation, ideographs,
# fullwidth forms): each wide one is three bytes of UTF-8, so the width is counted in C.
# tests/test_table_width.py checks every one of them against rich's own width.
_PLAIN_OR_WIDE = re.compile(
    "[\x20-\x7e\u3000-\u3029\u3030-\u303e\u3400-\u4dbf\u4e00-\u9fff\uff01-\uff60]*"
)


def _width(text: str) -> int:
    if text.isascii():  # dates, numbers, codes: one cell per character
        return len(text)
    if _PLAIN_OR_WIDE.fullmatch(text):  # names and titles: rich's loop per character is slow
        return len(text) + (len(text.encode()) - len(text)) // 2
    from rich.cells import cell_len

    return cell_len(text)


# Text as a table shows it (printable) and its width, by the text from the file: a city's
# table repeats its counties, measures, dates and owners tens of thousands of times.
_SHOWN: dict[str, tuple[str, int]] = {}


def _shown(text: str) -> tuple[str, int]:
    found = _SHOWN.get(text)
    if found is None:
        if len(_SHOWN) > 100_000:
            _SHOWN.clear()
        shown = printable(text)
        found = _SHOWN[text] = (shown, _width(shown))
    return found


def _cut(text: str, limit: int) -> str:
    from rich.cells import set_cell_size

    if _width(text) <= limit:
        return text
    # set_cell_size pads where a wide character would not fit; the ellipsis goes right after.
    return set_cell_size(text, limit - 1).rstrip() + "…"


def write_plain(table: Table, out: IO[str], layout: Fit | None = None) -> None:
    """Columns padded by display width, so wide Chinese characters line up, with no escapes."""
    layout = layout or fit(table, None)
    keep, widths = layout.shown, layout.widths
    columns = [table.columns[k] for k in keep]

    def cell(value: str, width: int, right: bool) -> str:
        text, used = _shown(value)
        if used > width:
            text = _cut(text, width)
            used = _width(text)
        pad = " " * (width - used)
        return pad + text if right else text + pad

    # Column by column: each distinct text padded once, then looked up (in C) per row.
    cells = list(zip(*table.rows, strict=True)) if table.rows else [() for _ in table.columns]
    padded = []
    for column, k, width in zip(columns, keep, widths, strict=True):
        values = cells[k]
        done = {v: cell(column.screen(v), width, column.numeric) for v in set(values)}
        padded.append(list(map(done.__getitem__, values)))
    rule = "  ".join("─" * w for w in widths).rstrip() + "\n"
    header = (cell(c.header, w, c.numeric) for c, w in zip(columns, widths, strict=True))
    lines = []
    if table.title:
        lines.append(printable(table.title) + "\n\n")
    lines += ["  ".join(header).rstrip() + "\n", rule]
    rows = zip(*padded, strict=True) if padded else [()] * len(table.rows)
    for i, parts in enumerate(rows):
        if table.marks and table.mark(i) is Mark.TOTAL:
            lines.append(rule)
        lines.append("  ".join(parts).rstrip() + "\n")
        if len(lines) >= 4096:  # written in blocks: one write per line is slow on a pipe
            out.write("".join(lines))
            lines.clear()
    out.write("".join(lines))


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
                _code(printable(cell))
                if column.code
                else _neutral(printable(cell), numeric=column.numeric)
                for cell, column in zip(row, table.columns, strict=True)
            ]
        )


_KEPT_AS_NUMBER = re.compile(r"[1-9][0-9]{0,14}")  # a spreadsheet shows these digits unchanged
_READ_AS_NUMBER = re.compile(r"[0-9][0-9eE.,+\-/: ]*")  # 0371, 4101E5, 1-2: zeros lost, dates


def _code(cell: str) -> str:
    """A code a spreadsheet keeps: bare when it reads back the same, else as ="0371"."""
    # ="…" is the form Excel, WPS and LibreOffice all take as text with no apostrophe shown;
    # the pattern admits no quote or letter but e/E, so nothing else can run in the formula.
    if _KEPT_AS_NUMBER.fullmatch(cell) or not _READ_AS_NUMBER.fullmatch(cell):
        return _neutral(cell)
    return f'="{cell}"'


def _neutral(cell: str, *, numeric: bool = False) -> str:
    # A leading apostrophe makes spreadsheets show =1+1 as text instead of computing it.
    if not numeric and cell.startswith(_FORMULA_START):
        return "'" + cell
    return cell
