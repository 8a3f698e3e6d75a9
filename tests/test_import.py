"""The import core: cells read as days and text, cells named as Excel names them, and a
sheet (built in memory) planned into unit files or problems at cells."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from checklist.i18n import Lang
from checklist.ingest import plan
from checklist.load.campaign import load_campaign
from checklist.workbook import Reason, Sheet, cell_name, day_of, sheet_ref, text_of
from conftest import CAMPAIGN_TOML
from ledger_books import HEADER

TODAY = dt.date(2023, 11, 20)


@pytest.mark.parametrize(
    ("cell", "day"),
    [
        (dt.date(2023, 10, 31), dt.date(2023, 10, 31)),
        (dt.datetime(2023, 10, 31, 17, 30), dt.date(2023, 10, 31)),
        # Excel's day numbers: 1 is 1900-01-01 and, after Lotus's phantom 1900-02-29,
        # 61 is 1900-03-01; 45230 is 2023-10-31 (what Excel shows for it).
        (45230, dt.date(2023, 10, 31)),
        (45230.0, dt.date(2023, 10, 31)),
        (61, dt.date(1900, 3, 1)),
        ("2023-10-31", dt.date(2023, 10, 31)),
        ("2023/10/31", dt.date(2023, 10, 31)),
        ("2023.10.31", dt.date(2023, 10, 31)),
        ("2023年10月31日", dt.date(2023, 10, 31)),
        ("2023年10月31", dt.date(2023, 10, 31)),
        (" 2023-1-5 ", dt.date(2023, 1, 5)),
        ("2023/10/31 00:00:00", dt.date(2023, 10, 31)),
    ],
)
def test_a_day_is_read_from_every_form(cell: object, day: dt.date) -> None:
    assert day_of(cell) == day  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("cell", "english", "chinese"),
    [
        (
            "2023-02-30",
            "'2023-02-30' is not a date: 2023-02 has 28 days",
            "“2023-02-30”不是日期:2023 年 2 月只有 28 天",
        ),
        (
            "2024年2月30日",
            "'2024年2月30日' is not a date: 2024-02 has 29 days",
            "“2024年2月30日”不是日期:2024 年 2 月只有 29 天",
        ),
        ("2023.04.31", "'2023.04.31' is not a date: 2023-04 has 30 days", None),
        ("2023.12.32", "'2023.12.32' is not a date: 2023-12 has 31 days", None),
        ("2023/13/01", "'2023/13/01' is not a date: there is no month 13", None),
        (
            "下月底",
            "'下月底' is not a date; write it as 2023-10-31, 2023/10/31, 2023.10.31 or "
            "2023年10月31日, or make the cell a date",
            None,
        ),
        (
            45230.5,
            "the number 45230.5 is not a day (as a date, Excel counts whole days from 1900)",
            "数字 45230.5 不是日期(Excel 的日期是从 1900 年起的整天数)",
        ),
        (-3, "the number -3 is not a day (as a date, Excel counts whole days from 1900)", None),
        (  # no calendar has a year 0: once an internal error
            "0000-01-01",
            "'0000-01-01' is not a date; write it as 2023-10-31, 2023/10/31, 2023.10.31 or "
            "2023年10月31日, or make the cell a date",
            None,
        ),
        (
            True,
            "'TRUE' is not a date; write it as 2023-10-31, 2023/10/31, 2023.10.31 or "
            "2023年10月31日, or make the cell a date",
            None,
        ),
    ],
)
def test_what_is_not_a_day_says_why(cell: object, english: str, chinese: str | None) -> None:
    reason = day_of(cell)  # type: ignore[arg-type]
    assert isinstance(reason, Reason)
    assert reason.says(Lang.EN) == english
    if chinese:
        assert reason.says(Lang.ZH) == chinese


@pytest.mark.parametrize(
    ("cell", "text"),
    [
        (410102.0, "410102"),
        (3.5, "3.5"),
        ("  王红 ", "王红"),
        (False, "FALSE"),
        (dt.datetime(2023, 10, 1), "2023-10-01"),
        ("", ""),
    ],
)
def test_a_cell_as_text(cell: object, text: str) -> None:
    assert text_of(cell) == text  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("row", "column", "name"),
    [
        (12, 5, "E12"),
        (1, 1, "A1"),
        (1, 26, "Z1"),
        (1, 27, "AA1"),
        (7, 702, "ZZ7"),
        (7, 703, "AAA7"),
        (1, 16384, "XFD1"),
    ],
)
def test_cells_are_named_as_excel_names_them(row: int, column: int, name: str) -> None:
    assert cell_name(row, column) == name


@pytest.mark.parametrize(
    ("sheet", "ref"),
    [
        ("Sheet1", "Sheet1!E12"),
        ("任务清单", "任务清单!E12"),
        ("My sheet", "'My sheet'!E12"),
        ("it's", "'it''s'!E12"),
        ("2023", "'2023'!E12"),
    ],
)
def test_a_sheet_is_quoted_as_excel_quotes_it(sheet: str, ref: str) -> None:
    assert sheet_ref(sheet, 12, 5) == ref


def _campaign(tmp_path: Path):  # type: ignore[no-untyped-def]
    (tmp_path / "campaign.toml").write_text(CAMPAIGN_TOML, encoding="utf-8")
    return load_campaign(tmp_path / "campaign.toml")


def _rows(name: str = "二七区测试单位") -> list[tuple[object, ...]]:
    day = dt.date(2023, 10, 31)
    return [
        (name, "二七区", "基层", "王红", "理论学习", "专题学习", "张伟", day, "", ""),
        ("", "", "", "", "调查研究", "", "李强", day, "", ""),
        ("", "", "", "", "推动发展", "", "刘洋", day, "", ""),
        ("", "", "", "", "检视整改", "", "陈静", day, "", ""),
        ("", "", "", "", "建章立制", "", "王红", day, "", ""),
    ]


def test_the_header_is_found_below_title_rows(tmp_path: Path) -> None:
    rows = [("郑州市主题教育清单台账",), (), ("填报单位:二七区",), HEADER, *_rows()]
    result = plan(Sheet("台账", tuple(rows)), campaign=_campaign(tmp_path), today=TODAY)  # type: ignore[arg-type]
    assert result.problems == ()
    (unit,) = result.units
    assert unit.rows == (5, 6, 7, 8, 9)
    assert unit.tasks == 5  # one task, and four measures without tasks
    assert unit.path == tmp_path / "units" / "410103" / "410103-001.toml"


def test_a_header_row_among_the_first_ten_rows_only(tmp_path: Path) -> None:
    rows = [("标题",)] * 10 + [HEADER, *_rows()]
    result = plan(Sheet("S", tuple(rows)), campaign=_campaign(tmp_path), today=TODAY)  # type: ignore[arg-type]
    (problem,) = result.problems
    assert (problem.cell, problem.code) == ("S!A1", "no_header")


def test_rows_of_two_units_make_two_files_in_order(tmp_path: Path) -> None:
    second = [
        ("金水区测试单位", "金水区", "county", "李华", *row[4:]) if i == 0 else row
        for i, row in enumerate(_rows("金水区测试单位"))
    ]
    rows = (HEADER, *_rows(), *second)
    result = plan(Sheet("S", rows), campaign=_campaign(tmp_path), today=TODAY)  # type: ignore[arg-type]
    assert result.problems == ()
    assert [(u.name, u.unit_id, u.rows) for u in result.units] == [
        ("二七区测试单位", "410103-001", (2, 3, 4, 5, 6)),
        ("金水区测试单位", "410105-001", (7, 8, 9, 10, 11)),
    ]
    assert 'level = "county"' in result.units[1].text


def test_an_id_already_taken_is_skipped_as_new_skips_it(tmp_path: Path) -> None:
    campaign = _campaign(tmp_path)
    taken = tmp_path / "units" / "410103" / "410103-001.toml"
    taken.parent.mkdir(parents=True)
    taken.write_text('[unit]\nname = "别的单位"\n', encoding="utf-8")
    result = plan(Sheet("S", (HEADER, *_rows())), campaign=campaign, today=TODAY)  # type: ignore[arg-type]
    assert [u.unit_id for u in result.units] == ["410103-002"]
