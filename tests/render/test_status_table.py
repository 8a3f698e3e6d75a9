"""The status table as a terminal shows it, drawn by a fixed-width, colourless console."""

from __future__ import annotations

import datetime as dt
from io import StringIO

from rich.console import Console

from checklist.i18n import Lang
from checklist.model import Campaign, County, Item, Level, Person, State, Task, Unit
from checklist.render.status import status_table
from checklist.render.table import fit, to_rich, write_plain
from checklist.status import Entry, entry_of

D = dt.date
CAMPAIGN = Campaign("测试", D(2023, 9, 9), D(2024, 1, 31), (County("410103", "二七区"),))
OWNER = Person("王红", None, "erqi")
UNIT = Unit("erqi", "二七区委", "410103", Level.COUNTY, OWNER, (), "erqi.toml")


def _item(title: str, due: dt.date, state: State, days: int | None) -> Entry:
    task = Task("institutions", 1, title, OWNER, due)
    return entry_of(Item(UNIT, task, 0, due, None, state, days))


ITEMS = [
    _item("每月考评问效", D(2023, 11, 10), State.OVERDUE, 10),
    _item(
        "A task whose title is far too long to fit in its column",
        D(2023, 11, 22),
        State.DUE_SOON,
        None,
    ),
]


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines()]


def test_the_status_table_on_an_80_column_terminal() -> None:
    # As render.console sets it up, but 80 columns wide and without colour.
    out = StringIO()
    screen = Console(
        file=out,
        width=80,
        color_system=None,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=True,
    )
    table = status_table(ITEMS, CAMPAIGN, Lang.EN, states=True, done=False)
    layout = fit(table, 80)
    screen.print(to_rich(table, layout), crop=False)
    # 115 cells at full width: the long title shortens to 16 cells (its least), then Owner
    # and Measure are hidden, and the title gets back the room they leave: 17 cells.
    assert layout.hidden == ("Measure", "Owner")
    assert _lines(out.getvalue()) == [
        "",
        "  County   Unit       Task                Due          State      Days overdue",
        " " + "─" * 78,
        "  二七区   二七区委   每月考评问效        2023-11-10   overdue              10",
        "  二七区   二七区委   A task whose tit…   2023-11-22   due soon",
        "",
    ]


def test_plain_text_lines_up_like_the_terminal_table_and_cuts_nothing() -> None:
    table = status_table(ITEMS, CAMPAIGN, Lang.EN, states=True, done=False)
    out = StringIO()
    write_plain(table, out)
    assert _lines(out.getvalue()) == [
        "County  Unit      Measure   Task                                                     Owner"
        "  Due         State     Days overdue",
        "──────  ────────  ────────  ───────────────────────────────────────────────────────  ─────"
        "  ──────────  ────────  ────────────",
        "二七区  二七区委  建章立制  每月考评问效                                             王红 "
        "  2023-11-10  overdue             10",
        "二七区  二七区委  建章立制  A task whose title is far too long to fit in its column  王红 "
        "  2023-11-22  due soon",
    ]
