"""render/xlsx.py and render/ledger.py: typed cells, safe text, names Excel takes, widths."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from checklist.i18n import Lang
from checklist.model import State
from checklist.render.table import Mark
from checklist.render.xlsx import (
    EXCEL_NAME_MAX,
    MAX_WIDTH,
    Field,
    Heading,
    Kind,
    Sheet,
    column_widths,
    header_text,
    sheet_names,
    workbook_bytes,
)

HEADING = Heading("测试主题教育", dt.date(2023, 11, 20), Lang.ZH)
HOSTILE = (
    '=HYPERLINK("http://x","y")',
    "+1",
    "-1",
    "@SUM(A1)",
    "=1+1",
    "http://example.com",
    "mailto:a@example.cn",
    "0371",
    "1/2",
    "6/7",
    "1e5",
    "TRUE",
    "bell\x07 and escape\x1b[31m",
)


def _book(*sheets: Sheet, heading: Heading = HEADING) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(workbook_bytes(sheets, heading)))


def _widths(sheet) -> dict[int, float]:
    """Column widths by 1-based index; openpyxl groups equal neighbours into one entry."""
    widths = {}
    for dim in sheet.column_dimensions.values():
        for k in range(dim.min, dim.max + 1):
            widths[k] = dim.width
    return widths


def test_text_that_looks_like_a_formula_a_link_or_a_number_stays_text() -> None:
    sheet = Sheet("s", (Field("Task"), Field("Code", Kind.CODE)), tuple((h, h) for h in HOSTILE))
    data = workbook_bytes([sheet], HEADING)
    read = openpyxl.load_workbook(io.BytesIO(data)).active
    for r, text in enumerate(HOSTILE, 2):
        for cell in (read.cell(r, 1), read.cell(r, 2)):
            assert cell.data_type == "s", (text, cell.data_type)
            assert cell.hyperlink is None
    expected = [*HOSTILE[:-1], "bell␇ and escape␛[31m"]  # control characters made visible
    assert [read.cell(r, 1).value for r in range(2, 2 + len(HOSTILE))] == expected
    # No formula, link or macro anywhere in the package: no <f> element, no relationship to
    # a hyperlink, no vbaProject.
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as package:
        names = package.namelist()
        xml = b"".join(package.read(n) for n in names if n.endswith((".xml", ".rels")))
    assert b"<f>" not in xml
    assert b"<f " not in xml
    assert b"<hyperlink" not in xml
    assert b"relationships/hyperlink" not in xml
    assert not any("vba" in n.lower() for n in names)


def test_dates_counts_and_shares_are_typed_with_formats() -> None:
    fields = (
        Field("Due", Kind.DATE),
        Field("Tasks", Kind.COUNT),
        Field("Done %", Kind.PERCENT),
        Field("State", Kind.STATE),
    )
    sheet = Sheet("s", fields, ((dt.date(2023, 10, 31), 37, 12 / 37, State.OVERDUE),))
    read = _book(sheet).active
    due, tasks, share, state = (read.cell(2, k) for k in range(1, 5))
    assert due.is_date
    assert due.value == dt.datetime(2023, 10, 31)
    assert due.number_format == "yyyy-mm-dd"
    assert (tasks.data_type, tasks.value) == ("n", 37)
    assert share.data_type == "n"
    assert share.value == pytest.approx(12 / 37)
    assert share.number_format == "0.0%"
    assert (state.value, state.fill.fgColor.rgb) == ("已逾期", "FFFFC7CE")


def test_each_state_has_its_colour_and_open_has_none() -> None:
    states = tuple(State)
    sheet = Sheet("s", (Field("State", Kind.STATE),), tuple((s,) for s in states))
    read = _book(sheet, heading=Heading("c", dt.date(2023, 11, 20), Lang.EN)).active
    fills = {read.cell(r, 1).value: read.cell(r, 1).fill.fgColor.rgb for r in range(2, 7)}
    assert fills == {
        "done": "FFC6EFCE",
        "done late": "FFDDEBF7",
        "overdue": "FFFFC7CE",
        "due soon": "FFFFEB9C",
        "open": "00000000",
    }


def test_a_chinese_character_counts_two_widths() -> None:
    ascii_only = Sheet("s", (Field("T"),), (("a" * 20,),))
    chinese = Sheet("s", (Field("T"),), (("中" * 20,),))
    assert column_widths(ascii_only, Lang.ZH) == [22]  # 20 cells and two of padding
    assert column_widths(chinese, Lang.ZH) == [42]  # 20 characters of two cells each
    long = Sheet("s", (Field("T"),), (("中" * 100,),))
    assert column_widths(long, Lang.ZH) == [MAX_WIDTH]  # and longer text wraps


def test_headers_fit_with_room_for_the_filter_button() -> None:
    sheet = Sheet("s", (Field("截止日期", Kind.DATE), Field("N", Kind.COUNT)), ())
    # 8 cells of header, 2 for the button, 2 of padding; a bare number column keeps a minimum.
    assert column_widths(sheet, Lang.ZH) == [12, 9]


def test_sheet_names_are_ones_excel_accepts_and_all_differ() -> None:
    wanted = ["汇总", "a/b:c", "[x]*?\\", "汇总", "History", "'quoted'", "", "中" * 40, "中" * 40]
    names = sheet_names(wanted, Lang.ZH)
    assert names[:7] == ["汇总", "a_b_c", "_x____", "汇总(2)", "History_", "quoted", "工作表"]
    assert names[7] == "中" * EXCEL_NAME_MAX
    assert names[8] == "中" * (EXCEL_NAME_MAX - 3) + "(2)"
    assert all(len(n) <= EXCEL_NAME_MAX for n in names)
    assert len({n.casefold() for n in names}) == len(names)
    # Excel (and so XlsxWriter) takes them all: the workbook is written without an error.
    book = _book(*(Sheet(w, (Field("T"),), ()) for w in wanted))
    assert book.sheetnames == names


def test_a_name_cut_to_31_characters_does_not_end_in_an_apostrophe() -> None:
    assert sheet_names(["a" * 30 + "'b"], Lang.EN) == ["a" * 30]


def test_sheet_names_differing_only_in_case_are_told_apart() -> None:
    assert sheet_names(["Summary", "SUMMARY"], Lang.EN) == ["Summary", "SUMMARY(2)"]


def test_the_page_header_escapes_ampersands_and_is_cut() -> None:
    assert header_text("A&B") == "A&&B"
    assert len(header_text("x" * 300)) == 100


def test_print_setup_frozen_header_and_filter_leave_the_total_row_out() -> None:
    fields = (Field("Name"), Field("Tasks", Kind.COUNT))
    rows = (("a", 1), ("b", 2), ("Total", 3))
    sheet = Sheet("Summary", fields, rows, (Mark.BAD, Mark.NONE, Mark.TOTAL))
    heading = Heading("A&B campaign", dt.date(2023, 11, 20), Lang.EN)
    read = _book(sheet, heading=heading).active
    assert read.freeze_panes == "A2"
    assert read.auto_filter.ref == "A1:B3"  # header and two rows; the total stays below
    assert read.page_setup.orientation == "landscape"
    assert read.page_setup.paperSize == 9  # A4
    assert read.print_title_rows == "$1:$1"
    assert read.oddHeader.left.text == "A&&B campaign"
    assert read.oddHeader.right.text == "as of 2023-11-20"
    assert read.oddFooter.center.text == "Page &P of &N"
    assert read.cell(4, 1).font.b
    assert read.cell(4, 1).border.top.style == "thin"
    assert read.cell(2, 1).fill.fgColor.rgb == "FFFFC7CE"  # the worst row stands out


def test_an_empty_sheet_still_has_its_header_and_filter() -> None:
    read = _book(Sheet("Empty", (Field("A"), Field("B")), ())).active
    assert [c.value for c in read[1]] == ["A", "B"]
    assert read.auto_filter.ref == "A1:B1"


def test_a_day_excel_cannot_show_is_written_as_text() -> None:
    days = (dt.date(1, 1, 1), dt.date(1900, 2, 28), dt.date(1900, 3, 1))
    read = _book(Sheet("s", (Field("Due", Kind.DATE),), tuple((d,) for d in days))).active
    assert [read.cell(r, 1).value for r in (2, 3)] == ["0001-01-01", "1900-02-28"]
    assert read.cell(4, 1).value == dt.datetime(1900, 3, 1)  # Excel's day 61


def test_a_sheet_longer_than_excel_allows_is_refused_not_cut() -> None:
    from checklist.errors import UsageError
    from checklist.render.xlsx import EXCEL_ROWS

    rows = (("x",),) * EXCEL_ROWS  # one more than fits below the header
    with pytest.raises(UsageError, match=r"sheet 中牟县 would have 1048576 rows"):
        workbook_bytes([Sheet("中牟县", (Field("T"),), rows)], Heading("c", HEADING.as_of, Lang.EN))
