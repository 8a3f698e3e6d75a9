"""Tables that fit: a terminal's width shortens long text, then hides columns in a set order."""

from __future__ import annotations

from io import StringIO

import pytest
from rich.cells import cell_len
from rich.console import Console

from checklist.render.table import Column, Fit, Table, fit, rich_width, to_rich, write_plain

WIDE_NAME = "中共郑州市管城回族区委领导班子"  # 15 characters, 30 cells

TABLE = Table(
    (
        Column("Unit", shrink_to=10),
        Column("Owner", give_way=1),
        Column("Measure", give_way=2),
        Column("Due"),
        Column("Days", numeric=True),
    ),
    (
        (WIDE_NAME, "金少辉", "检视整改", "2023-10-10", "41"),
        ("A", "B", "C", "2023-10-11", "7"),
    ),
)


def _draw(table: Table, layout: Fit, width: int) -> list[str]:
    out = StringIO()
    # As write_terminal draws: never narrower than the columns that cannot give way.
    width = max(width, rich_width(layout.widths))
    screen = Console(file=out, width=width, color_system=None, highlight=False, markup=False)
    screen.print(to_rich(table, layout), crop=False)
    return out.getvalue().splitlines()


def test_wide_characters_count_two_cells() -> None:
    layout = fit(TABLE, None)
    # Unit: 30 cells of Chinese; Owner "金少辉" 6; Measure "检视整改" 8; Due 10; "Days" 4.
    assert layout.widths == (30, 6, 8, 10, 4)
    assert rich_width(layout.widths) == 30 + 6 + 8 + 10 + 4 + 3 * 5 + 1
    assert layout.hidden == ()


def test_long_text_shortens_before_any_column_is_hidden() -> None:
    natural = rich_width((30, 6, 8, 10, 4))  # 74
    layout = fit(TABLE, natural - 5)
    assert layout.hidden == ()
    assert layout.widths == (25, 6, 8, 10, 4)
    lines = _draw(TABLE, layout, natural - 5)
    assert max(cell_len(line) for line in lines) <= natural - 5
    assert any("…" in line for line in lines)


def test_columns_are_hidden_in_their_order_once_text_is_as_short_as_it_goes() -> None:
    # Unit at its 10 cells: 10+6+8+10+4 + 16 = 54; without Owner 45; without Measure too 34.
    assert fit(TABLE, 54).hidden == ()
    assert fit(TABLE, 53).hidden == ("Owner",)
    assert fit(TABLE, 45).shown == (0, 2, 3, 4)
    narrow = fit(TABLE, 44)
    assert narrow.hidden == ("Owner", "Measure")
    assert narrow.shown == (0, 3, 4)
    # Hiding frees room that the shortened text gets back.
    assert narrow.widths == (10 + 44 - 34, 10, 4)


def test_columns_that_never_give_way_stay_even_past_the_width() -> None:
    layout = fit(TABLE, 20)
    assert layout.shown == (0, 3, 4)
    assert layout.hint() == "Hidden to fit: Owner, Measure. --wide shows all columns."


@pytest.mark.parametrize("width", [30, 40, 54, 60, 74, 200])
def test_every_drawn_line_fits_and_every_row_is_one_line(width: int) -> None:
    layout = fit(TABLE, width)
    lines = _draw(TABLE, layout, width)
    # 38 cells is the least the never-hidden columns take; narrower, rows run past the edge.
    assert max(cell_len(line) for line in lines) <= max(width, 38)
    rows = [line for line in lines if "2023-10-1" in line]
    assert len(rows) == 2
    # blank edge, header, rule, two rows, blank edge: no continuation lines
    assert len(lines) == 6


def test_plain_text_with_no_width_keeps_every_name_whole() -> None:
    out = StringIO()
    write_plain(TABLE, out)
    assert WIDE_NAME in out.getvalue()
    assert "…" not in out.getvalue()


@pytest.mark.parametrize("width", [40, 50, 60, 70])
def test_plain_text_fitted_to_a_width_fills_it_and_no_more(width: int) -> None:
    layout = fit(TABLE, width, plain=True)
    out = StringIO()
    write_plain(TABLE, out, layout)
    lines = out.getvalue().splitlines()
    assert max(cell_len(line) for line in lines) <= width
    # Plain text has no edges: 30+6+8+10+4 cells and four 2-space gaps is 66 in all.
    assert layout.hidden == (() if width >= 66 - 20 else ("Owner",))
