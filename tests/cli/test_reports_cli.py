"""`checklist status` and `checklist rollup` as a user runs them.

Golden files: tests/golden/<name>.<ext> hold the exact output of each report on
examples/zhengzhou as of 2023-11-20, and the tests compare it byte for byte.
To regenerate them after an intended change, run

    CHECKLIST_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_reports_cli.py

which rewrites the files instead of comparing, then READ the diff before
committing: a golden is only as good as its review.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest

from conftest import REPO, VALID_UNIT

GOLDEN = REPO / "tests" / "golden"
UPDATE = os.environ.get("CHECKLIST_UPDATE_GOLDEN") == "1"
EXAMPLE = "examples/zhengzhou"  # relative, so the paths in the JSON goldens are stable
EXTENSIONS = {"table": "txt", "json": "json", "csv": "csv", "markdown": "md"}
COUNTS = ("tasks", "done", "done_late", "open", "overdue", "due_soon")


@pytest.fixture(autouse=True)
def _at_repo_root_in_english(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from the repository root, in an English locale: the example says lang = "zh"."""
    monkeypatch.chdir(REPO)
    for name in ("LC_ALL", "LANG", "COLUMNS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LC_MESSAGES", "en_US.UTF-8")


def _ok(cli, *args: str | Path) -> str:
    result = cli(*args)
    assert result.code == 0, result.err
    assert result.err == ""
    return result.out


def _json(cli, *args: str | Path) -> dict[str, Any]:
    return json.loads(_ok(cli, *args, "--format", "json"))


def _cells(text: str) -> list[str]:
    """A line as terminal cells: a wide (CJK) character takes two, the second left empty."""
    cells = []
    for char in text:
        cells.append(char)
        if unicodedata.east_asian_width(char) in "WF":
            cells.append("")
    return cells


# --- goldens ------------------------------------------------------------------------

REPORTS: dict[str, tuple[str, ...]] = {
    "status": ("status",),
    "status-soon-7": ("status", "--soon", "7"),
    "status-all": ("status", "--all"),
    "rollup": ("rollup",),
    "rollup-measures": ("rollup", "--measures"),
    "rollup-by-level": ("rollup", "--by", "level"),
    "rollup-by-measure": ("rollup", "--by", "measure"),
    "rollup-by-owner": ("rollup", "--by", "owner"),
    "rollup-by-unit": ("rollup", "--by", "unit"),
}
GOLDENS: dict[str, tuple[str, ...]] = {
    f"{name}.{ext}": (*args, "--format", output_format)
    for name, args in REPORTS.items()
    for output_format, ext in EXTENSIONS.items()
} | {
    "status-zh.txt": ("status", "--lang", "zh"),
    "rollup-zh.txt": ("rollup", "--lang", "zh"),
}


@pytest.mark.parametrize("name", list(GOLDENS))
def test_report_matches_its_golden_file(cli, name: str) -> None:
    command, *options = GOLDENS[name]
    out = _ok(cli, command, EXAMPLE, *options)
    path = GOLDEN / name
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        path.write_bytes(out.encode("utf-8"))
    # Decoding the file without newline translation keeps this a byte-for-byte comparison
    # (CSV lines end in \r\n), while pytest can still show a readable diff.
    assert out == path.read_bytes().decode("utf-8")


def test_every_golden_file_belongs_to_a_test() -> None:
    stray = {p.name for p in GOLDEN.iterdir() if not p.name.startswith(".")} - set(GOLDENS)
    assert not stray


@pytest.mark.parametrize("name", [n for n in GOLDENS if n.endswith(".txt")])
def test_plain_tables_line_up_by_display_width(name: str) -> None:
    """Every row leaves the two-cell gaps under the rule line blank, counting CJK as two cells."""
    lines = (GOLDEN / name).read_text(encoding="utf-8").splitlines()
    rule = next(line for line in lines if line.startswith("─"))
    gaps = [i for i, char in enumerate(rule) if char == " "]
    rows = [line for line in lines[lines.index(rule) - 1 :] if not line.startswith("─")]
    if name.startswith("status"):
        rows = rows[:-1]  # the summary line
    for line in rows:
        cells = _cells(line)
        assert len(cells) <= len(rule), line
        assert all(i >= len(cells) or cells[i] == " " for i in gaps), line
    assert not any("\x1b" in line for line in lines)


def test_a_real_pipe_prints_the_golden_table_without_escapes() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG"))}
    done = subprocess.run(
        [sys.executable, "-m", "checklist", "status", EXAMPLE],
        capture_output=True,
        cwd=REPO,
        env=env | {"CHECKLIST_AS_OF": "2023-11-20", "LC_MESSAGES": "en_US.UTF-8"},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert b"\x1b" not in done.stdout
    assert done.stdout == (GOLDEN / "status.txt").read_bytes()


# --- the numbers, checked against counts made independently ---------------------------


def test_status_counts_51_overdue_and_70_due_within_7_days(cli) -> None:
    summary = "51 overdue, 70 due in the next 7 days, across 48 units in 17 counties; 3 postponed\n"
    assert _ok(cli, "status", EXAMPLE).endswith(summary)
    listed = _json(cli, "status", EXAMPLE, "--soon", "7")
    assert listed["summary"] == {
        "overdue": 51,
        "due_soon": 70,
        "units": 48,
        "counties": 17,
        "postponed": 3,
    }
    states = [task["state"] for task in listed["tasks"]]
    assert (states.count("overdue"), states.count("due_soon"), len(states)) == (51, 70, 121)
    assert len({task["unit"] for task in listed["tasks"]}) == 48
    assert len({task["county"] for task in listed["tasks"]}) == 17


def test_rollup_total_of_the_example(cli) -> None:
    total = _json(cli, "rollup", EXAMPLE)["total"]
    assert {k: total[k] for k in ("tasks", "done", "done_late", "overdue", "due_soon")} == {
        "tasks": 873,
        "done": 329,
        "done_late": 38,
        "overdue": 51,
        "due_soon": 70,
    }


def test_rollup_rows_of_two_counties(cli) -> None:
    rows = {row["key"]: row for row in _json(cli, "rollup", EXAMPLE)["rows"]}
    zhongyuan = rows["410102"]
    assert zhongyuan["name"] == "中原区"
    assert [zhongyuan[k] for k in ("tasks", "done", "done_late", "overdue", "due_soon")] == [
        37,
        12,
        4,
        2,
        2,
    ]
    airport = rows["4101HK"]
    assert airport["name"] == "航空港区"
    assert (airport["units"], airport["expected_units"], airport["missing_units"]) == (4, 6, 2)


def test_status_and_rollup_agree_task_for_task(cli) -> None:
    states = [task["state"] for task in _json(cli, "status", EXAMPLE, "--all")["tasks"]]
    total = _json(cli, "rollup", EXAMPLE)["total"]
    assert len(states) == total["tasks"]
    assert states.count("done") + states.count("done_late") == total["done"]
    for state in ("done_late", "overdue", "due_soon"):
        assert states.count(state) == total[state], state


@pytest.mark.parametrize("by", ["county", "level", "measure", "owner", "unit"])
def test_rollup_rows_keep_the_invariants_and_sum_to_the_total(cli, by: str) -> None:
    report = _json(cli, "rollup", EXAMPLE, "--by", by, "--measures")
    for row in [*report["rows"], report["total"]]:
        assert row["done_late"] <= row["done"], row["key"]
        assert row["open"] == row["tasks"] - row["done"], row["key"]
        assert row["overdue"] + row["due_soon"] <= row["open"], row["key"]
        for key in COUNTS:  # the measure columns add up to the row
            assert sum(m[key] for m in row["measures"].values()) == row[key], (row["key"], key)
    for key in COUNTS:
        assert sum(row[key] for row in report["rows"]) == report["total"][key], key
    if by in ("county", "level", "unit"):  # each unit falls in exactly one of these rows
        assert sum(row["units"] for row in report["rows"]) == report["total"]["units"] == 57


def test_rollup_by_unit_follows_the_campaign_order_of_counties(cli) -> None:
    """Like the county roll-up: 郑东新区 (4101ZD) comes before 经开区 (4101JK), not after 市直."""
    counties = [row["key"] for row in _json(cli, "rollup", EXAMPLE)["rows"]]
    rows = _json(cli, "rollup", EXAMPLE, "--by", "unit")["rows"]
    order = [counties.index(row["county"]) for row in rows]
    assert order == sorted(order)


def test_rollup_by_owner_tells_apart_two_people_of_the_same_name(cli) -> None:
    """Two people named 张伟, with different addresses: a reader must see which row is whose."""
    out = _ok(cli, "rollup", EXAMPLE, "--by", "owner", "--format", "csv")
    names = [row[0] for row in csv.reader(io.StringIO(out.removeprefix("\ufeff")))][1:]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)


# --- filters -----------------------------------------------------------------------


def _tasks(cli, *filters: str) -> list[dict[str, Any]]:
    return _json(cli, "status", EXAMPLE, "--all", *filters)["tasks"]


def test_county_by_code_or_by_name_selects_the_same_tasks(cli) -> None:
    by_code = _tasks(cli, "--county", "410102")
    assert by_code == _tasks(cli, "--county", "中原区")
    assert len(by_code) == 37
    assert {task["county"] for task in by_code} == {"410102"}


def test_measure_by_key_or_by_name_selects_the_same_tasks(cli) -> None:
    by_key = _tasks(cli, "--measure", "study")
    assert by_key == _tasks(cli, "--measure", "理论学习")
    assert len(by_key) == 138
    assert {task["measure"] for task in by_key} == {"study"}


@pytest.mark.parametrize(
    ("option", "value", "field", "expected"),
    [
        ("--unit", "guancheng-committee", "unit", "guancheng-committee"),
        ("--owner", "华振", "owner", "华振"),
        ("--owner", "zhaolei@erqi.gov.cn", "owner_address", "zhaolei@erqi.gov.cn"),
        ("--level", "grassroots", "level", "grassroots"),
        ("--state", "overdue", "state", "overdue"),
    ],
)
def test_a_filter_keeps_only_matching_tasks(
    cli, option: str, value: str, field: str, expected: str
) -> None:
    kept = _tasks(cli, option, value)
    assert kept
    assert {task[field] for task in kept} == {expected}


def test_filters_combine_and_repeat(cli) -> None:
    both = _tasks(cli, "--county", "中原区", "--county", "410103")
    assert {task["county"] for task in both} == {"410102", "410103"}
    assert len(both) == 37 + 69
    late = _tasks(cli, "--county", "中牟县", "--state", "overdue", "--state", "due_soon")
    assert [task["state"] for task in late].count("overdue") == 9
    assert [task["state"] for task in late].count("due_soon") == 6
    assert len(late) == 15
    levels = _tasks(cli, "--level", "county") + _tasks(cli, "--level", "grassroots")
    assert len(levels) == 873


def test_rollup_filtered_to_one_county_counts_that_county(cli) -> None:
    total = _json(cli, "rollup", EXAMPLE, "--county", "中原区")["total"]
    assert (total["units"], total["tasks"], total["overdue"]) == (3, 37, 2)
    # Filtering to one county must not report the other 16 counties' units as missing.
    assert (total["expected_units"], total["missing_units"]) == (3, 0)


@pytest.mark.parametrize(
    ("command", "option", "typo", "suggestion"),
    [
        ("status", "--county", "二七", "二七区"),
        ("status", "--state", "overdu", "overdue"),
        ("status", "--measure", "stduy", "study"),
        ("rollup", "--county", "二七", "二七区"),
        ("rollup", "--measure", "stduy", "study"),
        ("rollup", "--level", "grasroots", "grassroots"),
    ],
)
def test_an_unknown_filter_value_is_a_usage_error_with_a_suggestion(
    cli, command: str, option: str, typo: str, suggestion: str
) -> None:
    result = cli(command, EXAMPLE, option, typo)
    assert result.code == 2
    assert result.out == ""
    assert f'did you mean "{suggestion}"' in result.err
    assert "Traceback" not in result.err


# --- exit codes and report days ---------------------------------------------------


@pytest.mark.parametrize("command", ["status", "rollup"])
def test_fail_on_overdue_looks_only_at_the_selected_tasks(cli, command: str) -> None:
    assert cli(command, EXAMPLE).code == 0
    assert cli(command, EXAMPLE, "--fail-on-overdue").code == 1
    assert cli(command, EXAMPLE, "--fail-on-overdue", "--county", "二七区").code == 0
    as_json = cli(command, EXAMPLE, "--fail-on-overdue", "--format", "json")
    assert as_json.code == 1
    assert json.loads(as_json.out)["as_of"] == "2023-11-20"  # the report is still printed whole


@pytest.mark.parametrize("command", ["status", "rollup"])
def test_an_unreadable_day_is_a_usage_error_with_an_example(cli, command: str) -> None:
    result = cli(command, EXAMPLE, "--as-of", "someday")
    assert result.code == 2
    assert "someday" in result.err
    assert "2023-11-20" in result.err


@pytest.mark.parametrize("day", ["2023/11/20", "Nov 20 2023"])
@pytest.mark.parametrize("command", ["status", "rollup"])
def test_other_spellings_of_the_day_give_the_same_report(cli, command: str, day: str) -> None:
    iso = _ok(cli, command, EXAMPLE, "--as-of", "2023-11-20", "--format", "json")
    assert _ok(cli, command, EXAMPLE, "--as-of", day, "--format", "json") == iso


# --- small campaigns ---------------------------------------------------------------

LATE_UNIT = """\
[unit]
id = "late"
name = "迟办单位"
county = "410103"
level = "county"
contact = "王红"

[study]
owner = "张伟"
due = 2023-11-18

[[study.tasks]]
title = "due on the 18th, done on the 25th"
done = 2023-11-25

[[study.tasks]]
title = "due on the 24th, done on the 25th"
due = 2023-11-24
done = 2023-11-25

[research]
owner = "李强"
due = 2023-09-30
done = 2023-09-30

[development]
owner = "刘洋"
due = 2023-09-30
done = 2023-09-30

[rectification]
owner = "陈静"
due = 2023-09-30
done = 2023-09-30

[institutions]
owner = "王红"
due = 2023-09-30
done = 2023-09-30
"""


def _unit_with_titles(*titles: str) -> str:
    """VALID_UNIT with more study tasks, due 2023-10-31 (the measure's due): overdue."""
    old = '[[study.tasks]]\ntitle = "读书班结业"\n'
    tasks = "".join(f"[[study.tasks]]\ntitle = '{title}'\n\n" for title in titles)
    assert old in VALID_UNIT
    return VALID_UNIT.replace(old, tasks + old, 1)


def _states(cli, folder: Path, day: str) -> dict[str, tuple[str, int | None]]:
    tasks = _json(cli, "status", folder, "--all", "--as-of", day)["tasks"]
    return {t["title"]: (t["state"], t["days_overdue"]) for t in tasks if t["measure"] == "study"}


def test_a_task_done_later_is_judged_by_its_due_date_on_an_earlier_day(cli, write_unit) -> None:
    folder = write_unit("late.toml", LATE_UNIT).parents[2]
    assert _states(cli, folder, "2023-11-20") == {
        "due on the 18th, done on the 25th": ("overdue", 2),
        "due on the 24th, done on the 25th": ("due_soon", None),
    }
    assert _states(cli, folder, "2023-11-25") == {
        "due on the 18th, done on the 25th": ("done_late", None),
        "due on the 24th, done on the 25th": ("done_late", None),
    }
    total = _json(cli, "rollup", folder, "--as-of", "2023-11-20")["total"]
    assert (total["done"], total["overdue"], total["due_soon"]) == (4, 1, 1)


@pytest.mark.parametrize("command", ["status", "rollup"])
def test_files_with_problems_are_left_out_and_counted_on_stderr(
    cli, write_unit, command: str
) -> None:
    good = write_unit("good.toml", VALID_UNIT)
    write_unit("broken.toml", '[unit]\nname = "坏文件"\ncounty = \n')
    folder = good.parents[2]
    result = cli(command, folder, "--format", "json")
    assert result.code == 0
    assert "1 file(s) with problems" in result.err
    assert "checklist validate" in result.err
    both = json.loads(result.out)
    alone = _json(cli, command, good)
    assert both["skipped_files"] == 1
    assert alone["skipped_files"] == 0
    key = "summary" if command == "status" else "total"
    assert both[key] == alone[key]
    table = cli(command, folder)
    assert table.code == 0
    assert "checklist validate" in table.err


HOSTILE_TITLES = (
    "[bold red]x[/]",
    "<script>alert(1)</script>",
    '=HYPERLINK("http://x")',
    "a | b",
)


@pytest.fixture
def hostile(write_unit) -> Path:
    return write_unit("hostile.toml", _unit_with_titles(*HOSTILE_TITLES)).parents[2]


def test_titles_print_literally_in_the_table(cli, hostile: Path) -> None:
    out = _ok(cli, "status", hostile)
    for title in HOSTILE_TITLES:
        assert title in out
    assert "\x1b" not in out


def test_titles_are_escaped_in_markdown(cli, hostile: Path) -> None:
    out = _ok(cli, "status", hostile, "--format", "markdown")
    assert "<script>" not in out
    assert r"\<script\>" in out
    assert r"a \| b" in out
    assert r"\[bold red\]x\[/\]" in out
    # Each row still has exactly the eight pipes of its seven columns.
    rows = [line for line in out.splitlines() if line.startswith("| ")]
    assert all(len(re.findall(r"(?<!\\)\|", line)) == 8 for line in rows)


def test_csv_has_a_bom_and_neutralises_formulas(cli, hostile: Path) -> None:
    out = _ok(cli, "status", hostile, "--format", "csv")
    assert out.startswith("\ufeff")
    titles = [row[3] for row in csv.reader(io.StringIO(out.removeprefix("\ufeff")))][1:]
    assert '\'=HYPERLINK("http://x")' in titles
    assert "[bold red]x[/]" in titles


def test_no_color_means_no_escapes_even_when_colour_is_forced(
    cli, hostile: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("NO_COLOR", "1")
    for command in ("status", "rollup"):
        out = _ok(cli, command, hostile)
        assert "\x1b" not in out
    assert "[bold red]x[/]" in _ok(cli, "status", hostile)


def test_a_terminal_80_columns_wide_still_shows_counties_and_due_dates(
    cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")  # rich draws its table, as on a terminal
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "80")
    out = _ok(cli, "status", EXAMPLE, "--county", "中原区")
    header = out.splitlines()[1]
    assert "County" in header
    assert "Due" in header
    assert "2023-10-20" in out
    assert "2023-10-23" in out


@pytest.mark.parametrize(
    ("environment", "chinese"),
    [
        ({"LANG": "zh_CN.UTF-8"}, True),
        ({"LC_MESSAGES": "zh_CN.UTF-8"}, True),
        ({"LANG": "zh_CN.UTF-8", "LC_ALL": "en_US.UTF-8"}, False),
        ({"LANG": "en_US.UTF-8", "LC_ALL": "zh_CN.UTF-8"}, True),
        ({"LANG": "C.UTF-8", "LC_MESSAGES": "en_US.UTF-8"}, False),
        ({"LANG": "C.UTF-8"}, True),  # names no language: the example's lang = "zh"
        ({}, True),
    ],
)
def test_the_locale_chooses_the_language(
    cli, monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], chinese: bool
) -> None:
    monkeypatch.delenv("LC_MESSAGES")
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    header = _ok(cli, "status", EXAMPLE).splitlines()[0]
    if chinese:
        assert header.split() == ["区县", "单位", "措施", "任务", "责任人", "截止日期", "逾期天数"]
    else:
        assert header.split()[:2] == ["County", "Unit"]


def test_lang_option_beats_the_locale(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LC_ALL", "en_US.UTF-8")
    assert _ok(cli, "status", EXAMPLE, "--lang", "zh").startswith("区县")
    assert "全市合计" in _ok(cli, "rollup", EXAMPLE, "--lang", "zh")
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
    assert _ok(cli, "status", EXAMPLE, "--lang", "en").startswith("County")


# --- empty results -----------------------------------------------------------------


def test_nothing_overdue_prints_a_line_and_the_summary(cli, write_unit) -> None:
    folder = write_unit("good.toml", VALID_UNIT).parents[2]
    out = _ok(cli, "status", folder, "--as-of", "2023-09-10")
    assert out == (
        "Nothing is overdue as of 2023-09-10.\n"
        "0 overdue, 0 due in the next 7 days, across 0 units in 0 counties\n"
    )
    assert _json(cli, "status", folder, "--as-of", "2023-09-10")["tasks"] == []
    erqi = _ok(cli, "status", EXAMPLE, "--county", "二七区")
    assert erqi.startswith("Nothing is overdue as of 2023-11-20.\n")
    assert erqi.endswith("0 overdue, 6 due in the next 7 days, across 3 units in 1 county\n")


def test_a_county_without_unit_files_still_has_its_row(cli, write_unit) -> None:
    folder = write_unit("good.toml", VALID_UNIT).parents[2]  # 金水区 410105 has no files
    rows = {row["key"]: row for row in _json(cli, "rollup", folder)["rows"]}
    assert list(rows) == ["410103", "410105"]
    assert rows["410105"]["name"] == "金水区"
    assert [rows["410105"][k] for k in ("units", *COUNTS)] == [0, 0, 0, 0, 0, 0, 0]
    assert rows["410105"]["completion"] is None
    table = _ok(cli, "rollup", folder)
    assert re.search(r"^410105  金水区 +0 +0 +0 +0 +0 +0 +0 +0 +— +—$", table, re.MULTILINE)


# --- tables that fit ------------------------------------------------------------------

WIDTHS = (80, 100, 120, 200)
DATE = re.compile(r"\d{4}-\d\d-\d\d")
PERCENT = re.compile(r"\d%|—")


def _on_terminal(cli, monkeypatch: pytest.MonkeyPatch, width: int, *args: str) -> list[str]:
    monkeypatch.setenv("FORCE_COLOR", "1")  # rich draws its table, as on a terminal
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", str(width))
    return _ok(cli, *args).splitlines()


def _display_width(line: str) -> int:
    return len(_cells(line))


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(
    ("args", "row", "rows"),
    [
        (("status",), DATE, 51),
        (("status", "--soon", "7"), DATE, 121),
        (("rollup",), PERCENT, 18),
        (("rollup", "--measures"), PERCENT, 18),
        (("rollup", "--by", "unit"), PERCENT, 58),  # 57 units and the total
        (("rollup", "--by", "owner"), PERCENT, None),
    ],
)
def test_a_terminal_table_fits_its_width_one_line_per_row(
    cli, monkeypatch: pytest.MonkeyPatch, width: int, args: tuple[str, ...], row, rows
) -> None:
    command, *options = args
    lines = _on_terminal(cli, monkeypatch, width, command, EXAMPLE, *options)
    assert max(_display_width(line) for line in lines) <= width
    rule = next(i for i, line in enumerate(lines) if line.strip().startswith("─"))
    bottom = max(i for i, line in enumerate(lines) if not line.strip())  # rich's lower edge
    body = [line for line in lines[rule + 1 : bottom] if line.strip()]
    # Every line of the body is a whole row: a wrapped row would leave a line without one.
    assert all(row.search(line) for line in body), [ln for ln in body if not row.search(ln)]
    if rows is not None:
        assert len(body) == rows
    hidden = [line for line in lines[bottom:] if line.startswith("Hidden to fit:")]
    header = lines[rule - 1]
    if hidden:
        assert "--wide shows all columns" in "".join(lines[bottom:])
        for name in hidden[0].removeprefix("Hidden to fit: ").split(".")[0].split(", "):
            assert f" {name} " not in header


def test_status_at_80_columns_hides_owner_and_measure_and_keeps_due_and_days(
    cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = _on_terminal(cli, monkeypatch, 80, "status", EXAMPLE)
    assert lines[1].split() == ["County", "Unit", "Task", "Due", "Days", "overdue"]
    assert "Hidden to fit: Measure, Owner. --wide shows all columns." in lines


def test_wide_shows_every_column_whole_on_a_narrow_terminal(
    cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = _on_terminal(cli, monkeypatch, 80, "status", EXAMPLE, "--wide")
    assert lines[1].split() == [
        "County",
        "Unit",
        "Measure",
        "Task",
        "Owner",
        "Due",
        "Days",
        "overdue",
    ]
    assert not any(line.startswith("Hidden") for line in lines)
    assert "…" not in "".join(lines)
    assert max(_display_width(line) for line in lines) > 80
    rollup = _on_terminal(cli, monkeypatch, 80, "rollup", EXAMPLE, "--wide")
    assert "Postponed" in rollup[2]
    assert "On time %" in rollup[2]


def test_a_terminal_with_more_than_200_rows_fits_its_plain_table_too(
    cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = _on_terminal(cli, monkeypatch, 100, "status", EXAMPLE, "--all")
    tasks = _json(cli, "status", EXAMPLE, "--all")["tasks"]
    assert len(tasks) > 200
    assert max(_display_width(line) for line in lines) <= 100
    rows = [line for line in lines if DATE.search(line)]
    assert len(rows) == len(tasks)
    # header, rule, the rows, the hint and the summary: nothing else, so no row wrapped
    assert len(lines) == len(tasks) + 4
    assert lines[-2].startswith("Hidden to fit:")


def test_a_pipe_keeps_all_51_unit_names_whole_whatever_columns_says(
    cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = {task["unit_name"] for task in _json(cli, "status", EXAMPLE)["tasks"]}
    monkeypatch.setenv("COLUMNS", "40")
    out = _ok(cli, "status", EXAMPLE)
    rows = out.splitlines()[2:-1]
    assert len(rows) == 51
    assert "…" not in out
    assert "Hidden" not in out
    for name in names:
        assert name in out
    assert sum(any(name in row for name in names) for row in rows) == 51


# --- CSV that stays what it is ----------------------------------------------------------


def _csv(cli, *args: str) -> list[dict[str, str]]:
    out = _ok(cli, *args, "--format", "csv")
    return list(csv.DictReader(io.StringIO(out.removeprefix("\ufeff"))))


NUMBER = re.compile(r"\d+(\.\d)?")


def test_rollup_csv_counts_and_percentages_are_bare_numbers(cli) -> None:
    rows = _csv(cli, "rollup", EXAMPLE, "--measures")
    headers = list(rows[0])
    numeric = [h for h in headers if h not in ("Code", "County", "Note")]
    for row in rows:
        for header in numeric:
            assert row[header] == "" or NUMBER.fullmatch(row[header]), (header, row[header])
        done, tasks = int(row["Done"]), int(row["Tasks"])
        assert float(row["Done %"]) == round(100 * done / tasks, 1)
    assert "/" not in "".join(v for row in rows for v in row.values())
    assert "%" not in "".join(v for row in rows for k, v in row.items() if k != "County")


def test_rollup_csv_measures_are_three_number_columns_each(cli) -> None:
    document = _json(cli, "rollup", EXAMPLE, "--measures")
    rows = _csv(cli, "rollup", EXAMPLE, "--measures")
    by_code = {r["key"]: r for r in document["rows"]}
    campaign_measures = list(document["rows"][0]["measures"])
    headers = list(rows[0])
    measure_headers = headers[headers.index("On time %") + 1 : headers.index("Note")]
    assert len(measure_headers) == 3 * len(campaign_measures)
    assert [h.rsplit(" ", 1)[1] for h in measure_headers] == ["Done", "Tasks", "Overdue"] * len(
        campaign_measures
    )
    for row in rows[:-1]:
        expected = by_code[row["Code"]]["measures"]
        cells = [int(row[h]) for h in measure_headers]
        assert cells == [
            expected[key][field]
            for key in campaign_measures
            for field in ("done", "tasks", "overdue")
        ]


def test_csv_codes_come_back_as_written() -> None:
    from checklist.render.table import Column, Table, write_csv

    table = Table(
        (Column("Code", code=True),), (("410102",), ("4101ZD",), ("0371",), ("4101E5",), ("=1+1",))
    )
    out = io.StringIO()
    write_csv(table, out)
    cells = [r[0] for r in csv.reader(io.StringIO(out.getvalue().removeprefix("\ufeff")))]
    assert cells == ["Code", "410102", "4101ZD", '="0371"', '="4101E5"', "'=1+1"]


# --- CSV as a real spreadsheet program reads it -----------------------------------------

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
ODS = "urn:oasis:names:tc:opendocument:xmlns:"
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed")


def _in_libreoffice(text: str, tmp_path: Path) -> list[list[tuple[str, str]]]:
    """The CSV opened by LibreOffice Calc (UTF-8, comma) and saved as ODS: (type, shown) cells."""
    source = tmp_path / "report.csv"
    source.write_bytes(text.encode("utf-8"))
    subprocess.run(
        [
            str(SOFFICE),
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--infilter=CSV:44,34,76,1",
            "--convert-to",
            "ods",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        check=True,
        timeout=120,
    )
    with zipfile.ZipFile(tmp_path / "report.ods") as ods:
        root = ET.fromstring(ods.read("content.xml"))
    table, office, text = f"{{{ODS}table:1.0}}", f"{{{ODS}office:1.0}}", f"{{{ODS}text:1.0}}"
    rows = []
    for row in root.iter(f"{table}table-row"):
        cells = []
        for cell in row.iter(f"{table}table-cell"):
            repeat = int(cell.get(f"{table}number-columns-repeated", "1"))
            shown = "".join("".join(p.itertext()) for p in cell.iter(f"{text}p"))
            cells += [(cell.get(f"{office}value-type", ""), shown)] * min(repeat, 100)
        rows.append(cells)
    return rows


@needs_soffice
def test_libreoffice_reads_rollup_counts_as_numbers_and_no_cell_as_a_date(
    cli, tmp_path: Path
) -> None:
    out = _ok(cli, "rollup", EXAMPLE, "--measures", "--format", "csv")
    written = list(csv.reader(io.StringIO(out.removeprefix("\ufeff"))))
    read = _in_libreoffice(out, tmp_path)
    headers = written[0]
    text_columns = {"Code", "County", "Note"}
    for line, cells in zip(written[1:], read[1:], strict=True):
        for header, value, (kind, shown) in zip(headers, line, cells, strict=False):
            assert kind != "date", (header, value)
            if header in text_columns:
                assert shown == value, (header, value, shown)  # 410102 and 4101ZD as written
            elif value:
                assert kind == "float", (header, value, kind)
                assert float(shown) == float(value)
    assert sum(len(line) for line in written[1:]) == 18 * len(headers)


@needs_soffice
def test_libreoffice_reads_status_days_as_numbers_and_only_due_as_dates(
    cli, tmp_path: Path
) -> None:
    out = _ok(cli, "status", EXAMPLE, "--format", "csv")
    written = list(csv.reader(io.StringIO(out.removeprefix("\ufeff"))))
    read = _in_libreoffice(out, tmp_path)
    headers = written[0]
    for line, cells in zip(written[1:], read[1:], strict=True):
        for header, value, (kind, shown) in zip(headers, line, cells, strict=False):
            if header == "Due":
                assert kind == "date"
            elif header == "Days overdue":
                assert (kind, float(shown)) == ("float", float(value))
            else:
                assert (kind, shown) == ("string", value), header


@needs_soffice
def test_libreoffice_keeps_codes_whole_and_computes_no_formula_from_text(
    tmp_path: Path,
) -> None:
    from checklist.render.table import Column, Table, write_csv

    codes = ("410102", "4101ZD", "0371", "4101E5", "1-2", "=1+1", "@SUM(A1)")
    out = io.StringIO()
    write_csv(Table((Column("Code", code=True),), tuple((c,) for c in codes)), out)
    read = _in_libreoffice(out.getvalue(), tmp_path)
    shown = [cells[0][1] for cells in read[1 : 1 + len(codes)]]
    assert shown[:5] == list(codes[:5])
    # Text that looks like a formula stays text; some programs show the guarding apostrophe.
    assert [s.lstrip("'") for s in shown[5:]] == list(codes[5:])
    assert all(kind != "date" for cells in read for kind, _ in cells)


def test_the_readme_shows_status_as_an_80_column_terminal_draws_it(
    cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("The same command in an 80-column terminal:", 1)[1]
    block = block.split("```console\n", 1)[1].split("```", 1)[0]
    command, _, shown = block.partition("\n")
    assert command == "$ checklist status examples/zhengzhou --county 中牟县"
    lines = _on_terminal(cli, monkeypatch, 80, "status", EXAMPLE, "--county", "中牟县")
    assert [line.rstrip() for line in lines] == shown.splitlines()
