"""`checklist export` and `--format xlsx -o FILE`, read back with openpyxl and LibreOffice.

Every number in the workbook is checked against the JSON reports of the same run
(`rollup --format json`, `status --format json`), which have their own golden tests.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import sys
import tomllib
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from conftest import REPO, VALID_UNIT

EXAMPLE = "examples/zhengzhou"
COUNTS = ("units", "tasks", "done", "done_late", "open", "overdue", "due_soon", "postponed")
HEADERS_EN = {
    "units": "Units",
    "expected_units": "Expected",
    "missing_units": "Missing",
    "tasks": "Tasks",
    "done": "Done",
    "done_late": "Done late",
    "open": "Open",
    "overdue": "Overdue",
    "due_soon": "Due soon",
    "postponed": "Postponed",
    "completion": "Done %",
    "on_time": "On time %",
}
STATES_EN = {
    "done": "done",
    "done_late": "done late",
    "overdue": "overdue",
    "due_soon": "due soon",
    "open": "open",
}


@pytest.fixture(autouse=True)
def _at_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)


def _json(cli, *args: str) -> dict[str, Any]:
    result = cli(*args, "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def _export(cli, tmp_path: Path, *args: str, name: str = "ledger.xlsx") -> openpyxl.Workbook:
    target = tmp_path / name
    result = cli("export", EXAMPLE, "-o", target, *args)
    assert result.code == 0, result.err
    assert result.err == ""
    return openpyxl.load_workbook(target)


def _records(sheet) -> list[dict[str, Any]]:
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def _day(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def _widths(sheet) -> dict[int, float]:
    widths = {}
    for dim in sheet.column_dimensions.values():
        for k in range(dim.min, dim.max + 1):
            widths[k] = dim.width
    return widths


def _cells(text: str) -> int:
    """Display width, worked out independently of the code: wide and full-width count two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


# --- the summary sheet --------------------------------------------------------------


def test_the_summary_has_every_count_of_rollup_and_real_percentages(cli, tmp_path: Path) -> None:
    rollup = _json(cli, "rollup", EXAMPLE)
    book = _export(cli, tmp_path)
    assert book.sheetnames[0] == "Summary"
    summary = book["Summary"]
    records = _records(summary)
    assert len(records) == len(rollup["rows"]) + 1
    for record, row in zip(records, [*rollup["rows"], rollup["total"]], strict=True):
        is_total = row is rollup["total"]
        assert record["Code"] == (None if is_total else row["key"])
        assert record["County"] == ("Total" if is_total else row["name"])
        for key, header in HEADERS_EN.items():
            value = row[key]
            if key in ("completion", "on_time"):
                assert record[header] == pytest.approx(value, abs=5e-5), (row["key"], key)
            else:
                assert record[header] == value, (row["key"], key)
        assert record["Note"] == ("worst" if row["worst"] else None)
        # The light against expected progress, as rollup's JSON has it.
        assert record["Expected %"] == pytest.approx(row["expected"], abs=5e-5), row["key"]
        assert record["Behind (pts)"] == pytest.approx(row["behind"], abs=0.05), row["key"]
        assert record["Light"] == row["light"], row["key"]
    # Percentages are numbers with a percent format, never text.
    header = [c.value for c in summary[1]]
    behind = header.index("Behind (pts)") + 1
    assert {summary.cell(r, behind).number_format for r in range(2, summary.max_row + 1)} == {"0.0"}
    for name in ("Done %", "On time %"):
        column = header.index(name) + 1
        for r in range(2, summary.max_row + 1):
            cell = summary.cell(r, column)
            assert cell.data_type == "n"
            assert cell.number_format == "0.0%"
    codes = header.index("Code") + 1
    assert all(summary.cell(r, codes).data_type == "s" for r in range(2, summary.max_row))


def test_worst_rows_are_marked_and_the_total_row_sits_below_the_filter(cli, tmp_path: Path) -> None:
    rollup = _json(cli, "rollup", EXAMPLE)
    summary = _export(cli, tmp_path)["Summary"]
    worst = [i for i, row in enumerate(rollup["rows"]) if row["worst"]]
    assert len(worst) == 3
    for i in range(len(rollup["rows"])):
        fill = summary.cell(i + 2, 2).fill.fgColor.rgb
        missing = rollup["rows"][i]["missing_units"]
        expected = "FFFFC7CE" if i in worst else "FFFFEB9C" if missing else "00000000"
        assert fill == expected, rollup["rows"][i]["name"]
    last = summary.max_row
    assert last == len(rollup["rows"]) + 2
    assert summary.auto_filter.ref == f"A1:R{last - 1}"  # 18 columns, lights included
    assert summary.cell(last, 2).font.b


# --- the overdue sheet and the county sheets --------------------------------------


def test_the_overdue_sheet_lists_status_soon_in_its_order(cli, tmp_path: Path) -> None:
    status = _json(cli, "status", EXAMPLE, "--soon", "7")
    sheet = _export(cli, tmp_path)["Overdue and due soon"]
    records = _records(sheet)
    assert len(records) == len(status["tasks"]) == 121
    for record, task in zip(records, status["tasks"], strict=True):
        title = task["title"] + (f" #{task['occurrence']}" if task["occurrence"] else "")
        assert record == {
            "County": task["county_name"],
            "Unit": task["unit_name"],
            "Measure": task["measure_name"],
            "Task": title,
            "Owner": task["owner"],
            "Due": _day(task["due"]),
            "State": STATES_EN[task["state"]],
            "Days overdue": task["days_overdue"],
            "Postponed from": _day(task["postponed_from"]),
            "Reason": record["Reason"],
        }
    days = [r["Days overdue"] for r in records if r["Days overdue"] is not None]
    assert days == sorted(days, reverse=True)
    assert len(days) == status["summary"]["overdue"]


def test_each_county_sheet_holds_every_task_of_its_units(cli, tmp_path: Path) -> None:
    everything = _json(cli, "status", EXAMPLE, "--all")["tasks"]
    rollup = _json(cli, "rollup", EXAMPLE)
    book = _export(cli, tmp_path)
    names = [row["name"] for row in rollup["rows"]]
    assert book.sheetnames == ["Summary", "Liaison groups", "Overdue and due soon", *names]
    for row in rollup["rows"]:
        records = _records(book[row["name"]])
        tasks = [t for t in everything if t["county"] == row["key"]]
        assert len(records) == row["tasks"] == len(tasks)

        def key(unit: str, title: str, due: Any, done: Any, state: str, days: Any) -> tuple:
            return (unit, title, due, done, state, days)

        from_sheet = Counter(
            key(
                r["Unit"],
                r["Task"],
                r["Due"],
                r["Done"],
                r["State"],
                r["Days overdue"],
            )
            for r in records
        )
        from_json = Counter(
            key(
                t["unit_name"],
                t["title"] + (f" #{t['occurrence']}" if t["occurrence"] else ""),
                _day(t["due"]),
                _day(t["done"]),
                STATES_EN[t["state"]],
                t["days_overdue"],
            )
            for t in tasks
        )
        assert from_sheet == from_json, row["name"]
        counted = Counter(r["State"] for r in records)
        assert counted["overdue"] == row["overdue"]
        assert counted["done"] + counted["done late"] == row["done"]


def test_postponed_tasks_show_the_old_day_and_why(cli, tmp_path: Path) -> None:
    book = _export(cli, tmp_path)
    postponed = [
        r for name in book.sheetnames[3:] for r in _records(book[name]) if r["Postponed from"]
    ]
    assert len(postponed) == _json(cli, "rollup", EXAMPLE)["total"]["postponed"] == 3
    sources = "".join(
        p.read_text(encoding="utf-8") for p in (REPO / EXAMPLE).rglob("units/*/*.toml")
    )
    for record in postponed:
        assert isinstance(record["Postponed from"], dt.datetime)
        assert record["Postponed from"] < record["Due"]
        assert record["Reason"]
        assert f'postpone_reason = "{record["Reason"]}"' in sources


def test_dates_are_dates_and_days_are_numbers(cli, tmp_path: Path) -> None:
    sheet = _export(cli, tmp_path)["中原区"]
    header = [c.value for c in sheet[1]]
    due, done, days = (header.index(h) + 1 for h in ("Due", "Done", "Days overdue"))
    for r in range(2, sheet.max_row + 1):
        assert sheet.cell(r, due).is_date
        assert sheet.cell(r, due).number_format == "yyyy-mm-dd"
        assert sheet.cell(r, done).value is None or sheet.cell(r, done).is_date
        assert sheet.cell(r, days).value is None or sheet.cell(r, days).data_type == "n"


# --- layout and printing ----------------------------------------------------------


def test_every_sheet_is_frozen_filtered_and_set_up_for_a4_landscape(cli, tmp_path: Path) -> None:
    book = _export(cli, tmp_path, "--lang", "zh")
    assert book.sheetnames[:4] == ["汇总", "联络组", "逾期及即将到期", "中原区"]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        last_column = openpyxl.utils.get_column_letter(sheet.max_column)
        rows = sheet.max_row - (1 if sheet.title in ("汇总", "联络组") else 0)
        assert sheet.auto_filter.ref == f"A1:{last_column}{rows}", sheet.title
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.page_setup.paperSize == 9
        assert sheet.print_title_rows == "$1:$1"
        assert sheet.oddHeader.left.text == "郑州市第二批主题教育"
        assert sheet.oddHeader.right.text == "截至 2023-11-20"
        assert sheet.oddFooter.center.text == "第 &P 页,共 &N 页"
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        # One page wide (1, the default, is left out of the file), as many pages down as needed.
        assert (sheet.page_setup.fitToWidth or 1, sheet.page_setup.fitToHeight) == (1, 0)


def test_columns_are_as_wide_as_their_chinese_text(cli, tmp_path: Path) -> None:
    book = _export(cli, tmp_path, "--lang", "zh")
    for sheet in book.worksheets[2:]:
        widths = _widths(sheet)
        header = [c.value for c in sheet[1]]
        for name in ("单位", "责任人", "措施"):
            k = header.index(name) + 1
            texts = [sheet.cell(r, k).value or "" for r in range(2, sheet.max_row + 1)]
            widest = max([_cells(name) + 2, *(_cells(t) for t in texts)])
            # XlsxWriter stores the width plus Excel's 0.71 of cell padding.
            assert widths[k] == pytest.approx(min(widest + 2, 60) + 0.7109375), (sheet.title, name)
    # A unit name of 18 Chinese characters needs 36 widths, not 18.
    names = [c.value for c in book["中原区"]["A"][1:]]
    longest = max(names, key=len)
    assert len(longest) == 18
    assert _widths(book["中原区"])[1] == pytest.approx(38.7109375)


def test_states_are_coloured(cli, tmp_path: Path) -> None:
    sheet = _export(cli, tmp_path)["中原区"]
    column = [c.value for c in sheet[1]].index("State") + 1
    colours = {
        sheet.cell(r, column).value: sheet.cell(r, column).fill.fgColor.rgb
        for r in range(2, sheet.max_row + 1)
    }
    assert colours["overdue"] == "FFFFC7CE"
    assert colours["done"] == "FFC6EFCE"
    assert colours["open"] == "00000000"


# --- filters and languages ---------------------------------------------------------


def test_filters_narrow_every_sheet(cli, tmp_path: Path) -> None:
    rollup = _json(cli, "rollup", EXAMPLE, "--county", "中牟县")
    book = _export(cli, tmp_path, "--county", "中牟县")
    assert book.sheetnames == ["Summary", "Liaison groups", "Overdue and due soon", "中牟县"]
    total = _records(book["Summary"])[-1]
    assert total["Tasks"] == rollup["total"]["tasks"] == len(_records(book["中牟县"]))
    pressing = _records(book["Overdue and due soon"])
    assert {r["County"] for r in pressing} == {"中牟县"}


def test_as_of_changes_the_day_everywhere(cli, tmp_path: Path) -> None:
    rollup = _json(cli, "rollup", EXAMPLE, "--as-of", "2023-12-31")
    book = _export(cli, tmp_path, "--as-of", "2023-12-31")
    assert _records(book["Summary"])[-1]["Overdue"] == rollup["total"]["overdue"]
    assert book["Summary"].oddHeader.right.text == "as of 2023-12-31"


def test_hostile_titles_are_plain_strings(cli, tmp_path: Path, write_unit) -> None:
    titles = ['=HYPERLINK("http://x","y")', "+1", "-1", "@SUM(A1)", "http://example.com"]
    extra = "".join(
        f"\n[[research.tasks]]\ntitle = {json.dumps(title)}\ndue = 2023-10-{10 + k}\n"
        for k, title in enumerate(titles)
    )
    path = write_unit("hostile.toml", VALID_UNIT + extra)
    target = tmp_path / "hostile.xlsx"
    result = cli("export", path.parent.parent.parent, "-o", target, "--lang", "en")
    assert result.code == 0, result.err
    sheet = openpyxl.load_workbook(target)["二七区"]
    header = [c.value for c in sheet[1]]
    column = header.index("Task") + 1
    cells = [sheet.cell(r, column) for r in range(2, sheet.max_row + 1)]
    found = [c for c in cells if c.value in titles]
    assert sorted(c.value for c in found) == sorted(titles)
    assert all(c.data_type == "s" and c.hyperlink is None for c in found)


# --- status and rollup as workbooks; the screen refused ---------------------------


def test_rollup_writes_its_own_table_as_one_sheet(cli, tmp_path: Path) -> None:
    rollup = _json(cli, "rollup", EXAMPLE, "--by", "measure", "--measures")
    target = tmp_path / "rollup.xlsx"
    result = cli("rollup", EXAMPLE, "--by", "measure", "--measures", "-f", "xlsx", "-o", target)
    assert (result.code, result.out, result.err) == (0, "", "")
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["Summary"]
    records = _records(book.active)
    config = tomllib.loads((REPO / EXAMPLE / "campaign.toml").read_text(encoding="utf-8"))
    names = {m["key"]: m["name"] for m in config["measures"]}
    assert len(records) == len(rollup["rows"]) + 1 == 6
    for record, row in zip(records, [*rollup["rows"], rollup["total"]], strict=True):
        for key in COUNTS:
            assert record[HEADERS_EN[key]] == row[key]
        assert len(row["measures"]) >= 1
        for measure, counts in row["measures"].items():
            name = names[measure]
            assert record[f"{name} Done"] == counts["done"]
            assert record[f"{name} Tasks"] == counts["tasks"]
            assert record[f"{name} Overdue"] == counts["overdue"]


def test_status_writes_its_own_table_as_one_sheet(cli, tmp_path: Path) -> None:
    status = _json(cli, "status", EXAMPLE)
    target = tmp_path / "status.xlsx"
    result = cli("status", EXAMPLE, "--format", "xlsx", "-o", target)
    assert (result.code, result.out, result.err) == (0, "", "")
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["Overdue"]
    records = _records(book.active)
    assert list(records[0]) == [
        "County",
        "Unit",
        "Measure",
        "Task",
        "Owner",
        "Due",
        "Days overdue",
    ]  # the columns of the status table: no State when all are overdue
    assert [(r["Unit"], r["Due"], r["Days overdue"]) for r in records] == [
        (t["unit_name"], _day(t["due"]), t["days_overdue"]) for t in status["tasks"]
    ]


@pytest.mark.parametrize(
    "command",
    [("export",), ("status", "-f", "xlsx"), ("rollup", "--format", "xlsx")],
)
def test_a_workbook_is_never_written_to_the_screen(cli, command: tuple[str, ...]) -> None:
    result = cli(*command, EXAMPLE)
    assert result.code == 2
    assert result.out == ""
    assert result.err == (
        "checklist: error: an xlsx workbook is a file, not text for the screen: "
        "give -o FILE, e.g. -o ledger.xlsx\n"
    )
    zh = cli(*command, EXAMPLE, "--lang", "zh")
    assert zh.code == 2
    assert "请用 -o 指定文件" in zh.err


def test_text_formats_go_to_the_file_too(cli, tmp_path: Path) -> None:
    shown = cli("rollup", EXAMPLE, "--format", "csv").out
    target = tmp_path / "rollup.csv"
    result = cli("rollup", EXAMPLE, "--format", "csv", "-o", target)
    assert (result.code, result.out) == (0, "")
    assert target.read_bytes().decode("utf-8") == shown


def test_a_failed_export_leaves_the_old_workbook(cli, tmp_path: Path, campaign_dir) -> None:
    target = tmp_path / "ledger.xlsx"
    target.write_bytes(b"the old workbook")
    folder = campaign_dir("[campaign]\nname = 1\n")  # a broken campaign.toml
    result = cli("export", folder, "-o", target)
    assert result.code == 2
    assert target.read_bytes() == b"the old workbook"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".ledger")] == []


def test_export_says_what_it_wrote(cli, tmp_path: Path) -> None:
    target = tmp_path / "台账.xlsx"
    result = cli("export", EXAMPLE, "-o", target, "--lang", "zh")
    assert result.code == 0
    assert result.out == f"已写入 {target}:20 张工作表,873 项任务。\n"


# --- as LibreOffice prints it -------------------------------------------------------

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def _pdf_pages(pdf: bytes) -> int:
    """Pages of a PDF: its /Type /Page objects (not /Pages, the tree above them)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed")
def test_libreoffice_prints_the_ledger_on_a_sensible_number_of_pages(cli, tmp_path: Path) -> None:
    book = _export(cli, tmp_path, "--lang", "zh")
    subprocess.run(
        [
            str(SOFFICE),
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(tmp_path / "ledger.xlsx"),
        ],
        capture_output=True,
        check=True,
        timeout=180,
    )
    pdf = (tmp_path / "ledger.pdf").read_bytes()
    pages = _pdf_pages(pdf)
    # Each sheet starts a page; a page of A4 landscape holds about 25 rows of this ledger,
    # and every column fits across, so no sheet takes more than its rows need.
    rows = sum(sheet.max_row for sheet in book.worksheets)
    assert len(book.sheetnames) <= pages <= len(book.sheetnames) + rows // 10
    # Every page is A4 landscape (841.9 × 595.3 points), read from the PDF itself: no
    # pdfinfo needed, so the check runs wherever LibreOffice does.
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert len(boxes) >= pages
    for width, height in boxes:
        assert abs(float(width) - 841.9) < 2
        assert abs(float(height) - 595.3) < 2


@pytest.mark.parametrize("by", ["county", "level", "measure", "owner", "unit"])
def test_rollup_workbook_totals_match_json_for_every_grouping(cli, tmp_path: Path, by: str) -> None:
    rollup = _json(cli, "rollup", EXAMPLE, "--by", by)
    target = tmp_path / f"{by}.xlsx"
    assert cli("rollup", EXAMPLE, "--by", by, "-f", "xlsx", "-o", target).code == 0
    records = _records(openpyxl.load_workbook(target).active)
    assert len(records) == len(rollup["rows"]) + 1
    for key in COUNTS:
        assert records[-1][HEADERS_EN[key]] == rollup["total"][key]
        assert [r[HEADERS_EN[key]] for r in records[:-1]] == [row[key] for row in rollup["rows"]]


def test_reports_that_write_no_workbook_never_import_xlsxwriter() -> None:
    """Start-up stays lean: xlsxwriter is loaded by the export code path only."""
    code = (
        "import sys\n"
        "from checklist.cli.app import run\n"
        "for args in (['status', 'examples/zhengzhou'], ['rollup', 'examples/zhengzhou'],\n"
        "             ['export', '--help']):\n"
        "    try:\n"
        "        run(args)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "assert 'xlsxwriter' not in sys.modules, 'xlsxwriter imported'\n"
        "from checklist.render.xlsx import workbook_bytes\n"
        "assert 'xlsxwriter' not in sys.modules, 'imported by render.xlsx itself'\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr


def test_status_all_as_a_workbook_has_every_task_with_state_and_done(cli, tmp_path: Path) -> None:
    everything = _json(cli, "status", EXAMPLE, "--all", "--lang", "zh")["tasks"]
    target = tmp_path / "all.xlsx"
    assert cli("status", EXAMPLE, "--all", "--lang", "zh", "-f", "xlsx", "-o", target).code == 0
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["全部任务"]
    records = _records(book.active)
    assert len(records) == len(everything) == 873
    assert [(r["单位"], r["截止日期"], r["完成日期"]) for r in records] == [
        (t["unit_name"], _day(t["due"]), _day(t["done"])) for t in everything
    ]
    assert Counter(r["状态"] for r in records) == Counter(
        {
            "done": "已完成",
            "done_late": "逾期完成",
            "overdue": "已逾期",
            "due_soon": "即将到期",
            "open": "未到期",
        }[t["state"]]
        for t in everything
    )
