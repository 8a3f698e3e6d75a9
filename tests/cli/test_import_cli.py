"""checklist import: unit files from a ledger sheet, every problem at its cell, nothing
written unless the whole sheet is right; the template; the round trip of the example."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import CAMPAIGN_TOML, Result
from ledger_books import EXAMPLE, HEADER, book, example_rows

Cli = Callable[..., Result]
DAY = dt.date(2023, 10, 31)
NAME = "中共郑州市二七区测试委员会"


def rows(**changes: object) -> list[list[object]]:
    """One unit with all five measures; ``changes`` set cells by name: F2="…" (row 2 is the
    first below the header)."""
    table: list[list[object]] = [
        [
            NAME,
            "二七区",
            "基层",
            "王红",
            "理论学习",
            "中心组专题学习",
            "张伟",
            dt.date(2023, 9, 30),
            dt.date(2023, 9, 28),
            "",
        ],
        ["", "", "", "", "理论学习", "读书班结业", "张伟", DAY, "", "第二期"],
        ["", "", "", "", "调查研究", "", "李强", dt.date(2023, 11, 30), "", ""],
        ["", "", "", "", "推动发展", "“双节”期间客流保障", "刘洋", dt.date(2023, 12, 31), "", ""],
        ["", "", "", "", "检视整改", "", "陈静", dt.date(2023, 12, 20), "", ""],
        ["", "", "", "", "建章立制", "", "王红", dt.date(2024, 1, 31), "", ""],
    ]
    for cell, value in changes.items():
        table[int(cell[1:]) - 2][ord(cell[0]) - ord("A")] = value
    return table


EXPECTED = """\
# 中共郑州市二七区测试委员会 — 五项重点措施清单(路线图、任务书)
# Fill in every empty owner (责任人) and each due date (截止日期), then run
#   checklist validate <this file>

[unit]
id = "410103-001"
name = "中共郑州市二七区测试委员会"
county = "410103"  # 二七区
level = "grassroots"
contact = "王红"  # 联系人: answers for this list

[study]                     # 理论学习

[[study.tasks]]
title = "中心组专题学习"
owner = "张伟"
due = 2023-09-30
done = 2023-09-28

[[study.tasks]]
title = "读书班结业"
owner = "张伟"
due = 2023-10-31
note = "第二期"

[research]                  # 调查研究
owner = "李强"
due = 2023-11-30

[development]               # 推动发展

[[development.tasks]]
title = "“双节”期间客流保障"
owner = "刘洋"
due = 2023-12-31

[rectification]             # 检视整改
owner = "陈静"
due = 2023-12-20

[institutions]              # 建章立制
owner = "王红"
due = 2024-01-31
"""


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A campaign (campaign.toml only) as the working folder."""
    (tmp_path / "campaign.toml").write_text(CAMPAIGN_TOML, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def made(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.glob("units/**/*.toml"))


def test_a_sheet_becomes_a_unit_file_laid_out_as_new_lays_one_out(here: Path, cli: Cli) -> None:
    book(here / "ledger.xlsx", rows())
    result = cli("import", "ledger.xlsx")
    assert result == Result(
        0,
        "created units/410103/410103-001.toml (6 tasks)\n"
        "1 unit file(s) created from sheet 'Sheet1'\n",
        "",
    )
    assert (here / "units" / "410103" / "410103-001.toml").read_text("utf-8") == EXPECTED
    assert cli("validate", "--format", "json").code == 0


def test_the_schema_line_is_written_when_the_campaign_has_a_schema(here: Path, cli: Cli) -> None:
    (here / "units").mkdir()
    (here / "units" / "unit.schema.json").write_text(cli("schema").out, encoding="utf-8")
    book(here / "ledger.xlsx", rows())
    assert cli("import", "ledger.xlsx").code == 0
    text = (here / "units" / "410103" / "410103-001.toml").read_text("utf-8")
    assert text == "#:schema ../unit.schema.json\n\n" + EXPECTED


@pytest.mark.parametrize(
    "due", ["2023-10-31", "2023/10/31", "2023.10.31", "2023年10月31日", 45230, DAY]
)
def test_every_form_of_a_date_gives_the_same_file(here: Path, cli: Cli, due: object) -> None:
    book(here / "ledger.xlsx", rows(H3=due))
    assert cli("import", "ledger.xlsx").code == 0
    assert (here / "units" / "410103" / "410103-001.toml").read_text("utf-8") == EXPECTED


def test_dates_as_serial_numbers_give_the_same_file(here: Path, cli: Cli) -> None:
    book(here / "ledger.xlsx", rows(), serials=True)
    assert cli("import", "ledger.xlsx").code == 0
    assert (here / "units" / "410103" / "410103-001.toml").read_text("utf-8") == EXPECTED


def test_english_headers_below_a_title_row_and_the_sheet_chosen(here: Path, cli: Cli) -> None:
    header = (
        "Unit",
        "County",
        "Level",
        "Contact",
        "Measure",
        "Task",
        "Owner",
        "Due",
        "Done",
        "Note",
    )
    book(
        here / "ledger.xlsx",
        rows(E4="research", C2="grassroots"),
        sheet="清单",
        header=header,
        above=[["二七区 台账"], []],
    )
    assert cli("import", "ledger.xlsx", "--sheet", "清单").code == 0
    assert (here / "units" / "410103" / "410103-001.toml").read_text("utf-8") == EXPECTED


def test_other_chinese_headers_are_accepted(here: Path, cli: Cli) -> None:
    header = (
        "单位名称",
        "县(市、区)",
        "层级",
        "联系人",
        "措施类别",
        "具体任务",
        "责任人 ",
        "截止日期",
        "完成时间",
        "备注",
    )
    book(here / "ledger.xlsx", rows(), header=header)
    assert cli("import", "ledger.xlsx").code == 0
    assert (here / "units" / "410103" / "410103-001.toml").read_text("utf-8") == EXPECTED


def test_dry_run_writes_nothing(here: Path, cli: Cli) -> None:
    book(here / "ledger.xlsx", rows())
    result = cli("import", "ledger.xlsx", "--dry-run")
    assert result.out == (
        "would create units/410103/410103-001.toml (6 tasks)\n"
        "1 unit file(s) from sheet 'Sheet1'; nothing was written (--dry-run)\n"
    )
    assert result.code == 0
    assert made(here) == []


def test_into_names_the_campaign_folder(tmp_path: Path, here: Path, cli: Cli) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    book(elsewhere / "ledger.xlsx", rows())
    os.chdir(elsewhere)
    assert cli("import", "ledger.xlsx", "--into", here).code == 0
    assert made(here) == ["units/410103/410103-001.toml"]


# Each error: the cells changed, and the one line said (row 2 is the first below the header).
ERRORS = [
    (
        {"B2": "二七"},
        "Sheet1!B2: error[county] '二七' is not a county of this campaign; did you mean '二七区'? "
        "Write a name or code from campaign.toml",
    ),
    (
        {"B2": "郑东"},
        "Sheet1!B2: error[county] '郑东' is not a county of this campaign; "
        "write a name or code from campaign.toml",
    ),
    (
        {"H3": "下月底"},
        "Sheet1!H3: error[date] 完成时限: '下月底' is not a date; write it as "
        "2023-10-31, 2023/10/31, 2023.10.31 or 2023年10月31日, or make the cell a date",
    ),
    (
        {"H3": "2023-02-30"},
        "Sheet1!H3: error[date] 完成时限: '2023-02-30' is not a date: 2023-02 has 28 days",
    ),
    (
        {"I2": "2023.9.31"},
        "Sheet1!I2: error[date] 完成时间: '2023.9.31' is not a date: 2023-09 has 30 days",
    ),
    (
        {"H3": 45230.25},
        "Sheet1!H3: error[date] 完成时限: the number 45230.25 is not a day "
        "(as a date, Excel counts whole days from 1900)",
    ),
    ({"H3": ""}, "Sheet1!H3: error[empty] 完成时限 is empty"),
    (
        {"G3": ""},
        "Sheet1!G3: error[owner] 责任人 is empty: every task needs the one person "
        "responsible for it",
    ),
    (
        {"G4": "  "},
        "Sheet1!G4: error[owner] 责任人 is empty: every task needs the one person "
        "responsible for it",
    ),
    (
        {"E4": "调查"},
        "Sheet1!E4: error[measure] '调查' is not a measure of this campaign; did you mean "
        "'调查研究'? Write one of 理论学习, 调查研究, 推动发展, 检视整改, 建章立制",
    ),
    (
        {"E4": "党建工作"},
        "Sheet1!E4: error[measure] '党建工作' is not a measure of this campaign; "
        "write one of 理论学习, 调查研究, 推动发展, 检视整改, 建章立制",
    ),
    (
        {"C2": "乡镇级"},
        "Sheet1!C2: error[level] '乡镇级' is not a level; write one of 县级, 县处级, "
        "基层, county, grassroots",
    ),
    ({"D2": ""}, "Sheet1!D2: error[empty] 联系人 is empty"),
    (
        {"A2": ""},
        "Sheet1!A2: error[no_unit] no unit above this row: write the unit's name in its first row",
    ),
    ({"E2": ""}, "Sheet1!E2: error[empty] 措施 is empty"),
    (
        {"B3": "金水区"},
        f"Sheet1!B3: error[conflict] '{NAME}' has 区县 '金水区' here but another "
        "value in row 2; a unit has one",
    ),
    (
        {"E7": "检视整改"},
        f"Sheet1!F7: error[second_own] a second row of this measure of '{NAME}' "
        "without a 任务; only one such row (the measure's own owner and due) is allowed",
    ),
    (
        {"E7": "理论学习", "F7": "又一项"},
        f"Sheet1!E2: error[no_measure] '{NAME}' has no row for the "
        "measure 建章立制; add its tasks, or one row without a task for the measure's own owner "
        "and due",
    ),
    (
        {"F5": "x" * 1001},
        "Sheet1!F5: error[too_long] the text is 1001 characters long; at most 1000",
    ),
    (
        {"G3": "张" * 201},
        "Sheet1!G3: error[too_long] the text is 201 characters long; at most 200",
    ),
    # The checker's own findings, at the cell their value came from.
    (
        {"H5": dt.date(2024, 3, 1)},
        "Sheet1!H5: error[E206] due date 2024-03-01 is after the "
        "campaign ends (2023-09-09 to 2024-01-31)",
    ),
    (
        {"I3": dt.date(2023, 11, 21)},
        "Sheet1!I3: error[E207] done date 2023-11-21 is in the future (today is 2023-11-20)",
    ),
    (
        {"F3": "读书\x07班"},
        'Sheet1!F3: error[E204] title "读书\\u0007班" contains the invisible '
        "character U+0007 (control character)",
    ),
]


@pytest.mark.parametrize(("changes", "said"), ERRORS, ids=[e[1].split()[1] for e in ERRORS])
def test_each_problem_names_its_cell_and_nothing_is_written(
    here: Path, cli: Cli, changes: dict[str, object], said: str
) -> None:
    book(here / "ledger.xlsx", rows(**changes))
    result = cli("import", "ledger.xlsx")
    assert result.out.splitlines() == [
        f"ledger.xlsx:{said}",
        "1 problem(s) in sheet 'Sheet1' of ledger.xlsx; nothing was written",
    ]
    assert result.code == 1
    assert made(here) == []


def test_the_check_finds_what_happens_today(here: Path, cli: Cli) -> None:
    book(here / "ledger.xlsx", rows(I3=dt.date(2023, 11, 20)))
    assert cli("import", "ledger.xlsx").code == 0


def test_a_missing_column_names_the_headers_accepted(here: Path, cli: Cli) -> None:
    header = [h for h in HEADER if h != "责任人"]
    book(here / "ledger.xlsx", [r[:6] + r[7:] for r in rows()], header=header, above=[["台账"]])
    result = cli("import", "ledger.xlsx")
    assert result.out.splitlines()[0] == (
        "ledger.xlsx:Sheet1!A2: error[no_column] no column 责任人 in the header row; "
        "name it 责任人 / owner"
    )
    assert result.code == 1


def test_no_header_row(here: Path, cli: Cli) -> None:
    book(here / "ledger.xlsx", [["a", "b"]] * 3, header=["x", "y"])
    result = cli("import", "ledger.xlsx")
    assert result.out.splitlines()[0] == (
        "ledger.xlsx:Sheet1!A1: error[no_header] no header row in the first 10 rows: one row "
        "must name the columns (单位, 区县, 层级, 联系人, 措施, 任务, 责任人, 完成时限)"
    )
    assert result.code == 1


def test_one_bad_unit_stops_the_whole_sheet(here: Path, cli: Cli) -> None:
    other = rows()
    other[0][0], other[0][1] = "金水区测试单位", "金水区"
    book(
        here / "ledger.xlsx",
        rows() + [r if i else [*r[:6], "", *r[7:]] for i, r in enumerate(other)],
    )
    result = cli("import", "ledger.xlsx")
    assert result.out.splitlines()[0].startswith("ledger.xlsx:Sheet1!G8: error[owner]")
    assert result.code == 1
    assert made(here) == []


def test_problems_in_chinese(here: Path, cli: Cli) -> None:
    book(here / "ledger.xlsx", rows(B2="二七", H3="2023-02-30"))
    result = cli("import", "ledger.xlsx", "--lang", "zh")
    assert result.out.splitlines() == [
        "ledger.xlsx:Sheet1!B2: 错误[county] “二七”不是本次活动的县(市、区);是不是“二七区”?"
        "请填 campaign.toml 里的名称或代码",
        "ledger.xlsx:Sheet1!H3: 错误[date] “完成时限”:“2023-02-30”不是日期:2023 年 2 月只有 28 天",
        "ledger.xlsx 的工作表“Sheet1”有 2 处问题;未写入任何文件",
    ]


def test_problems_as_json(here: Path, cli: Cli) -> None:
    book(here / "ledger.xlsx", rows(G3=""), sheet="My sheet")
    result = cli("import", "ledger.xlsx", "--format", "json")
    assert result.code == 1
    assert json.loads(result.out) == {
        "schema_version": 1,
        "lang": "en",
        "file": "ledger.xlsx",
        "sheet": "My sheet",
        "dry_run": False,
        "written": False,
        "errors": 1,
        "warnings": 0,
        "problems": [
            {
                "cell": "'My sheet'!G3",
                "sheet": "My sheet",
                "row": 3,
                "column": 7,
                "severity": "error",
                "code": "owner",
                "message": "责任人 is empty: every task needs the one person responsible for it",
            }
        ],
        "units": [],
    }


def test_units_as_json(here: Path, cli: Cli) -> None:
    book(here / "ledger.xlsx", rows())
    document = json.loads(cli("import", "ledger.xlsx", "-f", "json").out)
    assert document["written"] is True
    assert document["units"] == [
        {
            "file": "units/410103/410103-001.toml",
            "id": "410103-001",
            "name": NAME,
            "tasks": 6,
            "rows": [2, 3, 4, 5, 6, 7],
            "action": "create",
            "changes": [],
        }
    ]


def test_an_existing_unit_file_is_never_overwritten(here: Path, cli: Cli) -> None:
    book(here / "ledger.xlsx", rows())
    assert cli("import", "ledger.xlsx").code == 0
    path = here / "units" / "410103" / "410103-001.toml"
    path.write_text(EXPECTED + "# 自己加的注释\n", encoding="utf-8")
    book(here / "ledger.xlsx", rows(G3="别人"))
    result = cli("import", "ledger.xlsx")
    assert result.out.splitlines()[0] == (
        f"ledger.xlsx:Sheet1!A2: error[exists] '{NAME}' already has a unit file, "
        "units/410103/410103-001.toml; import never overwrites one: with --update it changes "
        "only what the sheet changes"
    )
    assert result.code == 1
    assert path.read_text("utf-8") == EXPECTED + "# 自己加的注释\n"
    assert made(here) == ["units/410103/410103-001.toml"]


HOSTILE = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example","点我")',
    "+SUM(1,2)",
    "-2+3",
    "@SUM(A1)",
    '[[study.tasks]]\ntitle = "injected"',
    '"; owner = "x',
    "<script>alert(1)</script>",
    "\u202eevil",
]


@pytest.mark.parametrize("title", HOSTILE)
def test_hostile_cells_are_data(here: Path, cli: Cli, title: str) -> None:
    import tomllib

    book(here / "ledger.xlsx", rows(F5=title))
    result = cli("import", "ledger.xlsx")
    path = here / "units" / "410103" / "410103-001.toml"
    if result.code == 0:
        tasks = tomllib.loads(path.read_text("utf-8"))["development"]["tasks"]
        assert [t["title"] for t in tasks] == [title]
    else:  # a control or bidi character: the checker refuses it, at its cell
        assert result.out.startswith("ledger.xlsx:Sheet1!F5: error[E204] ")
        assert not path.exists()
    assert "\x1b" not in result.out


def test_a_formula_cell_is_read_as_its_value(here: Path, cli: Cli) -> None:
    import tomllib

    import xlsxwriter

    path = here / "ledger.xlsx"
    book(path, rows())
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Sheet1")
    for r, row in enumerate([list(HEADER), *rows()]):
        for c, value in enumerate(row):
            if isinstance(value, dt.date):
                sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()))
            elif value:
                sheet.write_string(r, c, str(value))
    sheet.write_formula(4, 6, '=CONCATENATE("刘","洋")', None, "刘洋")
    workbook.close()
    assert cli("import", "ledger.xlsx").code == 0
    unit = tomllib.loads((here / "units" / "410103" / "410103-001.toml").read_text("utf-8"))
    assert unit["development"]["tasks"][0]["owner"] == "刘洋"


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"", "ledger.xlsx is empty: it is not a workbook"),
        (
            "单位,区县\n二七区测试单位,二七区\n".encode(),
            "ledger.xlsx is not an Excel workbook "
            "(CSV or other text?); open it in Excel or WPS and save it as .xlsx",
        ),
        (
            b"just text",
            "ledger.xlsx is not an Excel workbook (CSV or other text?); open it in "
            "Excel or WPS and save it as .xlsx",
        ),
    ],
)
def test_what_is_not_a_workbook_is_named(here: Path, cli: Cli, content: bytes, said: str) -> None:
    (here / "ledger.xlsx").write_bytes(content)
    assert cli("import", "ledger.xlsx") == Result(2, "", f"checklist: error: {said}\n")


@pytest.mark.parametrize(
    "content", [b"PK\x03\x04" + b"\x00" * 300, b"\xd0\xcf\x11\xe0" + b"\x01" * 600, "zip"]
)
def test_a_broken_workbook_is_named_never_a_traceback(
    here: Path, cli: Cli, content: bytes | str
) -> None:
    path = here / "ledger.xlsx"
    if content == "zip":  # a good zip, but not a workbook (a .docx renamed, say)
        import zipfile

        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("word/document.xml", "<w/>")
    else:
        assert isinstance(content, bytes)
        path.write_bytes(content)
    result = cli("import", "ledger.xlsx")
    assert result.code == 2
    assert result.err.startswith("checklist: error: ledger.xlsx cannot be read as a workbook (")
    assert result.err.endswith("); open it in Excel or WPS and save it again as .xlsx\n")
    assert "Traceback" not in result.err


@pytest.mark.parametrize("bomb", ["size", "parts"])
def test_a_workbook_that_unpacks_too_large_is_refused_before_it_is_read(
    here: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch, bomb: str
) -> None:
    """A zip bomb dressed as a ledger: its parts declare more than any ledger unpacks to
    (the size limit lowered to 1 MiB here, so the test writes 2 MiB, not 513)."""
    import zipfile

    from checklist import workbook

    book(here / "ledger.xlsx", rows())
    with zipfile.ZipFile(here / "ledger.xlsx", "a", zipfile.ZIP_DEFLATED) as archive:
        if bomb == "size":
            monkeypatch.setattr(workbook, "MAX_UNPACKED", 1024 * 1024)
            archive.writestr("xl/padding.xml", bytes(2 * 1024 * 1024))
        else:
            for n in range(workbook.MAX_PARTS):
                archive.writestr(f"xl/p{n}.xml", b"")
    result = cli("import", "ledger.xlsx")
    assert result.code == 2
    mib = workbook.MAX_UNPACKED // 1024 // 1024
    assert result.err.startswith(f"checklist: error: ledger.xlsx unpacks to more than {mib} MiB")
    assert not list(here.glob("units/**/*.toml"))


def test_a_truncated_workbook_is_named(here: Path, cli: Cli) -> None:
    book(here / "good.xlsx", rows())
    data = (here / "good.xlsx").read_bytes()
    (here / "ledger.xlsx").write_bytes(data[: len(data) // 2])
    result = cli("import", "ledger.xlsx")
    assert result.code == 2
    assert result.err.startswith("checklist: error: ledger.xlsx cannot be read as a workbook")


def test_a_missing_file_and_a_missing_sheet(here: Path, cli: Cli) -> None:
    assert cli("import", "nothing.xlsx") == Result(
        2, "", "checklist: error: cannot read nothing.xlsx: No such file or directory\n"
    )
    book(here / "ledger.xlsx", rows())
    assert cli("import", "ledger.xlsx", "--sheet", "Sheet2") == Result(
        2,
        "",
        "checklist: error: ledger.xlsx has no sheet 'Sheet2'; its sheets: Sheet1; "
        'did you mean "Sheet1"?\n',
    )


def test_a_huge_sheet_is_refused(here: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    import checklist.workbook

    monkeypatch.setattr(checklist.workbook, "MAX_ROWS", 20)  # 100,000 rows in the real thing
    book(here / "ledger.xlsx", rows() * 5)
    assert cli("import", "ledger.xlsx") == Result(
        2,
        "",
        "checklist: error: sheet 'Sheet1' of ledger.xlsx has 31 rows; at most 20 rows "
        "can be imported\n",
    )


def test_the_template(here: Path, cli: Cli) -> None:
    from python_calamine import CalamineWorkbook

    result = cli("import", "--template", "模板.xlsx")
    assert result == Result(
        0,
        "wrote the template 模板.xlsx: fill in one row per task, then: checklist import "
        "模板.xlsx\n",
        "",
    )
    workbook = CalamineWorkbook.from_path(str(here / "模板.xlsx"))
    assert workbook.sheet_names == ["Tasks", "Columns"]
    tasks = workbook.get_sheet_by_name("Tasks").to_python()
    assert tuple(tasks[0]) == HEADER
    assert tasks[1][:8] == [
        "示例:某某街道党工委(填写时删去本行)",
        "二七区",
        "基层",
        "张三",
        "理论学习",
        "中心组专题学习(第一次)",
        "李四",
        dt.date(2023, 10, 9),
    ]
    columns = workbook.get_sheet_by_name("Columns").to_python()
    assert [row[0] for row in columns] == ["Column", *HEADER]
    assert columns[6][1:3] == ["具体任务, task", "yes"]
    assert columns[9][1:3] == ["done", "no"]
    assert cli("import", "--template", "模板.xlsx") == Result(
        2,
        "",
        "checklist: error: 模板.xlsx already exists; the template is never written over a file\n",
    )


def test_the_template_in_chinese_reads_back_as_a_sheet_to_import(here: Path, cli: Cli) -> None:
    from python_calamine import CalamineWorkbook

    assert cli("import", "--template", "t.xlsx", "--lang", "zh").code == 0
    workbook = CalamineWorkbook.from_path(str(here / "t.xlsx"))
    assert workbook.sheet_names == ["任务清单", "填写说明"]
    # The example row alone is one unit lacking four measures: the import says so.
    result = cli("import", "t.xlsx")
    assert result.code == 1
    assert result.out.count("error[no_measure]") == 4


def test_no_file_and_no_template(here: Path, cli: Cli) -> None:
    assert cli("import") == Result(
        2,
        "",
        "checklist: error: give the workbook to import (FILE), or --template FILE to write one\n",
    )


def _tasks(cli: Cli, folder: Path) -> list[tuple[Any, ...]]:
    result = cli("status", "--all", "--format", "json", folder)
    assert result.code == 0, result.err
    return sorted(
        (
            t["title"],
            t["owner"],
            t["due"],
            t["done"],
            t["measure"],
            t["county"],
            t["unit_name"],
            t["level"],
        )
        for t in json.loads(result.out)["tasks"]
        if not t["repeat"]
    )


def test_the_example_campaign_round_trips(tmp_path: Path, cli: Cli) -> None:
    """Its tasks (those that do not repeat) in the template layout, imported into an empty
    copy of the campaign, are the same tasks: title, owner, due, done, measure, county, unit."""
    empty = tmp_path / "empty"
    empty.mkdir()
    shutil.copy(EXAMPLE / "campaign.toml", empty)
    table = example_rows()
    book(tmp_path / "台账.xlsx", table, above=[["郑州市第二批主题教育 五项重点措施清单台账"]])
    result = cli("import", tmp_path / "台账.xlsx", "--into", empty)
    assert result.code == 0, result.out
    assert len(made(empty)) == len(made(EXAMPLE)) == 57
    expected = _tasks(cli, EXAMPLE)
    assert len(expected) == len(table) == 665
    assert _tasks(cli, empty) == expected
    assert cli("validate", empty).code == 0


# --update: the file as a person keeps it, with comments the sheet knows nothing of.
KEPT = (
    EXPECTED.replace("[unit]\n", "# 区委办 2023-09-12 报送\n[unit]\n")
    .replace('title = "读书班结业"\n', 'title = "读书班结业"  # 第二期读书班\n')
    .replace("[research]                  # 调查研究\n", "[research]  # 领题调研\n")
)


def test_update_changes_only_what_the_sheet_changes(here: Path, cli: Cli) -> None:
    path = here / "units" / "410103" / "410103-001.toml"
    path.parent.mkdir(parents=True)
    path.write_text(KEPT, encoding="utf-8")
    table = rows(G3="李强", I3=dt.date(2023, 11, 1), H4=dt.date(2023, 12, 15))
    table.append(["", "", "", "", "推动发展", "新任务", "刘洋", dt.date(2023, 12, 20), "", ""])
    book(here / "ledger.xlsx", table)
    result = cli("import", "ledger.xlsx", "--update")
    assert result == Result(
        0,
        "updated units/410103/410103-001.toml (4 changes)\n"
        "  理论学习/读书班结业: owner 张伟 → 李强\n"
        "  理论学习/读书班结业: done — → 2023-11-01\n"
        "  [调查研究]: due 2023-11-30 → 2023-12-15\n"
        "  + 推动发展/新任务\n"
        "from sheet 'Sheet1': 0 unit file(s) created, 1 updated, 0 unchanged\n",
        "",
    )
    expected = (
        KEPT.replace(
            'owner = "张伟"\ndue = 2023-10-31\nnote = "第二期"\n',
            'owner = "李强"\ndue = 2023-10-31\nnote = "第二期"\ndone = 2023-11-01\n',
        )
        .replace('owner = "李强"\ndue = 2023-11-30\n', 'owner = "李强"\ndue = 2023-12-15\n')
        .replace(
            "due = 2023-12-31\n\n[rectification]",
            'due = 2023-12-31\n\n[[development.tasks]]\ntitle = "新任务"\nowner = "刘洋"\n'
            "due = 2023-12-20\n\n[rectification]",
        )
    )
    assert path.read_text("utf-8") == expected
    # The same sheet again changes nothing, byte for byte.
    again = cli("import", "ledger.xlsx", "--update")
    assert again.out == (
        "units/410103/410103-001.toml is unchanged\n"
        "from sheet 'Sheet1': 0 unit file(s) created, 0 updated, 1 unchanged\n"
    )
    assert path.read_text("utf-8") == expected


def test_update_with_a_dry_run_writes_nothing(here: Path, cli: Cli) -> None:
    path = here / "units" / "410103" / "410103-001.toml"
    path.parent.mkdir(parents=True)
    path.write_text(KEPT, encoding="utf-8")
    book(here / "ledger.xlsx", rows(J2="记一笔"))
    result = cli("import", "ledger.xlsx", "--update", "--dry-run")
    assert result.out.splitlines() == [
        "would update units/410103/410103-001.toml (1 changes)",
        "  理论学习/中心组专题学习: note — → 记一笔",
        "from sheet 'Sheet1': 0 unit file(s) created, 1 updated, 0 unchanged",
        "nothing was written (--dry-run)",
    ]
    assert path.read_text("utf-8") == KEPT


def test_update_and_create_in_one_sheet(here: Path, cli: Cli) -> None:
    path = here / "units" / "410103" / "410103-001.toml"
    path.parent.mkdir(parents=True)
    path.write_text(KEPT, encoding="utf-8")
    other = rows()
    other[0][0], other[0][1] = "金水区测试单位", "金水区"
    book(here / "ledger.xlsx", rows() + other)
    result = cli("import", "ledger.xlsx", "--update")
    assert result.out.splitlines() == [
        "units/410103/410103-001.toml is unchanged",
        "created units/410105/410105-001.toml (6 tasks)",
        "from sheet 'Sheet1': 1 unit file(s) created, 0 updated, 1 unchanged",
    ]
    assert path.read_text("utf-8") == KEPT


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        (
            {"B2": "金水区"},
            "Sheet1!A2: error[refused] cannot update units/410103/410103-001.toml: the file's "
            "county is '410103'; import does not move a unit",
        ),
        (
            {"H3": dt.date(2024, 3, 1)},
            "Sheet1!A2: error[invalid] the update would leave units/410103/410103-001.toml:24 "
            "with a problem: [E206] due date 2024-03-01 is after the campaign ends "
            "(2023-09-09 to 2024-01-31)",
        ),
    ],
)
def test_an_update_that_cannot_be_made_writes_nothing(
    here: Path, cli: Cli, changes: dict[str, object], said: str
) -> None:
    path = here / "units" / "410103" / "410103-001.toml"
    path.parent.mkdir(parents=True)
    path.write_text(KEPT, encoding="utf-8")
    other = rows()
    other[0][0], other[0][1] = "金水区测试单位", "金水区"
    book(here / "ledger.xlsx", rows(**changes) + other)
    result = cli("import", "ledger.xlsx", "--update")
    assert result.out.splitlines()[0] == f"ledger.xlsx:{said}"
    assert result.code == 1
    assert path.read_text("utf-8") == KEPT
    assert made(here) == ["units/410103/410103-001.toml"]


def test_update_never_touches_a_broken_file(here: Path, cli: Cli) -> None:
    path = here / "units" / "410103" / "410103-001.toml"
    path.parent.mkdir(parents=True)
    path.write_text(KEPT.replace('owner = "陈静"', 'owner = ""'), encoding="utf-8")
    book(here / "ledger.xlsx", rows())
    result = cli("import", "ledger.xlsx", "--update")
    assert result.out.startswith(
        "ledger.xlsx:Sheet1!A2: error[refused] cannot update units/410103/410103-001.toml: "
        "units/410103/410103-001.toml has problems already (line "
    )
    assert result.code == 1


def test_the_example_imported_over_itself_with_update_is_unchanged(
    tmp_path: Path, cli: Cli
) -> None:
    """Every file of the example, its sheet imported with --update: nothing changes, byte for
    byte (an owner written with an address is the same person as its name in a sheet)."""
    copy = tmp_path / "zhengzhou"
    shutil.copytree(EXAMPLE, copy)
    book(tmp_path / "台账.xlsx", example_rows())
    result = cli("import", tmp_path / "台账.xlsx", "--into", copy, "--update")
    assert result.code == 0, result.out
    assert result.out.splitlines()[-1] == (
        "from sheet 'Sheet1': 0 unit file(s) created, 0 updated, 57 unchanged"
    )
    for path in EXAMPLE.rglob("*.toml"):
        assert (copy / path.relative_to(EXAMPLE)).read_bytes() == path.read_bytes()


def test_update_in_the_example_changes_those_lines_only(tmp_path: Path, cli: Cli) -> None:
    import difflib

    copy = tmp_path / "zhengzhou"
    shutil.copytree(EXAMPLE, copy)
    table = example_rows()
    for row in table:
        if row[5] == "调研成果交流会":  # zhongyuan-committee.toml, after a comment line
            row[8] = dt.date(2023, 11, 18)
    book(tmp_path / "台账.xlsx", table)
    assert cli("import", tmp_path / "台账.xlsx", "--into", copy, "--update").code == 0
    name = "units/410102/zhongyuan-committee.toml"
    before = (EXAMPLE / name).read_text("utf-8").splitlines()
    after = (copy / name).read_text("utf-8").splitlines()
    changed = [line for line in difflib.ndiff(before, after) if line[:1] in "+-"]
    assert changed == ["+ done = 2023-11-18"]
    assert after[after.index("+ done = 2023-11-18"[2:]) - 1] == (
        'postpone_reason = "与区委全会时间冲突,经区委主题教育领导小组研究顺延两周"'
    )


def test_start_up_loads_neither_workbook_library() -> None:
    import subprocess
    import sys

    code = (
        "import sys, checklist.cli.app as a; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('python_calamine', 'xlsxwriter', 'tomlkit')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout == "[]\n"


def test_a_wrong_size_header_as_wps_writes_it_is_read_whole(here: Path, cli: Cli) -> None:
    import re
    import zipfile

    book(here / "good.xlsx", rows())
    with (
        zipfile.ZipFile(here / "good.xlsx") as source,
        zipfile.ZipFile(here / "ledger.xlsx", "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data, count = re.subn(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1"/>', data)
                assert count == 1
            target.writestr(item, data)
    assert cli("import", "ledger.xlsx").code == 0
    assert (here / "units" / "410103" / "410103-001.toml").read_text("utf-8") == EXPECTED


def test_a_header_repeated_on_each_printed_page_is_skipped(here: Path, cli: Cli) -> None:
    table = rows()
    book(here / "ledger.xlsx", [*table[:3], list(HEADER), *table[3:]])
    assert cli("import", "ledger.xlsx").code == 0
    assert (here / "units" / "410103" / "410103-001.toml").read_text("utf-8") == EXPECTED


def test_the_template_needs_no_campaign(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    from python_calamine import CalamineWorkbook

    monkeypatch.chdir(tmp_path)
    assert cli("import", "--template", "t.xlsx").code == 0
    tasks = CalamineWorkbook.from_path(str(tmp_path / "t.xlsx")).get_sheet_by_index(0)
    assert tasks.to_python()[1][1:5] == ["示例区", "基层", "张三", "理论学习"]
