"""`checklist trend` and rollup's lights and ranks, on the worked example of docs/semantics.md.

The example ("Trend: a worked example"): a campaign from 1 September 2023, two counties,
seven tasks, reported on 10 September and compared with 3 September. Every number below
was worked by hand there.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from checklist.render.trend import sparkline
from conftest import Result

CAMPAIGN = """\
[campaign]
name = "示例"
start = 2023-09-01
end = 2023-09-30

[[measures]]
key = "study"
name = "理论学习"

[[counties]]
code = "410101"
name = "甲区"

[[counties]]
code = "410102"
name = "乙区"
"""

UNIT = """\
[unit]
id = "{id}"
name = "{name}"
county = "{county}"
level = "county"
contact = "王红"

[study]
owner = "张伟"
due = 2023-09-30
{tasks}"""


def _task(title: str, due: str, done: str | None) -> str:
    text = f'\n[[study.tasks]]\ntitle = "{title}"\ndue = 2023-09-{due}\n'
    return text + (f"done = 2023-09-{done}\n" if done else "")


A = [_task("a1", "03", "02"), _task("a2", "05", "07"), _task("a3", "08", None)]
A.append(_task("a4", "20", "01"))
B = [_task("b1", "05", None), _task("b2", "06", None), _task("b3", "30", "02")]

Run = Callable[..., Result]


@pytest.fixture
def example(campaign_dir: Callable[..., Path]) -> Path:
    folder = campaign_dir(CAMPAIGN)
    for uid, name, county, tasks in (
        ("a", "甲单位", "410101", A),
        ("b", "乙单位", "410102", B),
    ):
        path = folder / "units" / f"{uid}.toml"
        path.parent.mkdir(exist_ok=True)
        text = UNIT.format(id=uid, name=name, county=county, tasks="".join(tasks))
        path.write_text(text, encoding="utf-8")
    return folder


def _ok(cli: Run, *args: str | Path) -> str:
    result = cli(*args)
    assert result.code == 0, result.err
    return result.out


def _json(cli: Run, *args: str | Path) -> dict[str, Any]:
    return json.loads(_ok(cli, *args, "--format", "json"))  # type: ignore[no-any-return]


def test_trend_json_holds_the_worked_example(cli: Run, example: Path) -> None:
    document = _json(cli, "trend", example, "--as-of", "2023-09-10")
    assert (document["start"], document["as_of"], document["every"]) == (
        "2023-09-01",
        "2023-09-10",
        "week",
    )
    assert document["days"] == ["2023-09-03", "2023-09-10"]
    assert document["lights"] == {"yellow": 10, "red": 30}
    a, b = document["rows"]
    assert (a["key"], a["name"], a["county"], a["tasks"]) == ("410101", "甲区", "410101", 4)
    assert a["series"] == [
        {
            "day": "2023-09-03",
            "tasks_due": 1,
            "done": 2,
            "done_late": 0,
            "overdue": 0,
            "open": 2,
            "expected": 0.25,
            "actual": 0.5,
            "behind": -25.0,
            "light": "green",
        },
        {
            "day": "2023-09-10",
            "tasks_due": 3,
            "done": 3,
            "done_late": 1,
            "overdue": 1,
            "open": 1,
            "expected": 0.75,
            "actual": 0.75,
            "behind": 0.0,
            "light": "green",
        },
    ]
    last = b["series"][-1]
    assert (last["tasks_due"], last["done"], last["overdue"], last["open"]) == (2, 1, 2, 2)
    assert (last["expected"], last["actual"], last["behind"], last["light"]) == (
        0.6667,
        0.3333,
        33.3,
        "red",
    )
    total = document["total"]["series"][-1]
    assert (total["tasks_due"], total["done"], total["done_late"], total["overdue"]) == (
        5,
        4,
        1,
        3,
    )
    assert (total["expected"], total["actual"], total["behind"], total["light"]) == (
        0.7143,
        0.5714,
        14.3,
        "yellow",
    )


def test_trend_table_in_a_pipe_is_plain_and_has_no_sparkline(cli: Run, example: Path) -> None:
    out = _ok(cli, "trend", example, "--as-of", "2023-09-10")
    assert out == (
        "Trend by County, 2023-09-01 to 2023-09-10, weekly (Sundays)\n"
        "\n"
        "Code    County  Tasks  Due by then  Done  Done late  Overdue  Open  "
        "Expected %  Done %  Behind (pts)  Light\n"
        "──────  ──────  ─────  ───────────  ────  ─────────  ───────  ────  "
        "──────────  ──────  ────────────  ──────\n"
        "410101  甲区        4            3     3          1        1     1  "
        "     75.0%   75.0%           0.0  green\n"
        "410102  乙区        3            2     1          0        2     2  "
        "     66.7%   33.3%          33.3  red\n"
        "──────  ──────  ─────  ───────────  ────  ─────────  ───────  ────  "
        "──────────  ──────  ────────────  ──────\n"
        "        Total       7            5     4          1        3     3  "
        "     71.4%   57.1%          14.3  yellow\n"
    )


def test_trend_table_on_a_terminal_draws_the_done_share(
    cli: Run, example: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    out = re.sub(r"\x1b\[[0-9;]*m", "", _ok(cli, "trend", example, "--as-of", "2023-09-10"))
    lines = {line.split()[0]: line for line in out.splitlines() if line.strip()}
    # Done share on 3 and 10 September: A 2/4, 3/4; B 1/3, 1/3; total 3/7, 4/7.
    assert lines["410101"].split()[-2:] == ["green", "▅▇"]
    assert lines["410102"].split()[-2:] == ["red", "▃▃"]
    assert lines["Total"].split()[-2:] == ["yellow", "▄▅"]
    assert "Done % over time" in out


def test_trend_csv_has_a_line_per_row_per_day_of_numbers(cli: Run, example: Path) -> None:
    out = _ok(cli, "trend", example, "--as-of", "2023-09-10", "--format", "csv")
    assert out.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(out[1:])))
    assert rows[0] == [
        "Code",
        "County",
        "Day",
        "Tasks",
        "Due by then",
        "Done",
        "Done late",
        "Overdue",
        "Open",
        "Expected %",
        "Done %",
        "Behind (pts)",
        "Light",
    ]
    assert [",".join(row) for row in rows[1:]] == [
        "410101,甲区,2023-09-03,4,1,2,0,0,2,25.0,50.0,-25.0,green",
        "410101,甲区,2023-09-10,4,3,3,1,1,1,75.0,75.0,0.0,green",
        "410102,乙区,2023-09-03,3,0,1,0,0,2,0.0,33.3,-33.3,green",
        "410102,乙区,2023-09-10,3,2,1,0,2,2,66.7,33.3,33.3,red",
        ",Total,2023-09-03,7,1,3,0,0,4,14.3,42.9,-28.6,green",
        ",Total,2023-09-10,7,5,4,1,3,3,71.4,57.1,14.3,yellow",
    ]


def test_trend_every_day_and_every_dekad(cli: Run, example: Path) -> None:
    daily = _json(cli, "trend", example, "--as-of", "2023-09-10", "--every", "day")
    assert daily["days"] == [f"2023-09-{d:02}" for d in range(1, 11)]
    # a2 (due the 5th, done the 7th) is overdue on the 6th only; a3 (due the 8th) from the 9th.
    a = daily["rows"][0]["series"]
    assert [p["overdue"] for p in a] == [0, 0, 0, 0, 0, 1, 0, 0, 1, 1]
    dekads = _json(cli, "trend", example, "--as-of", "2023-09-30", "--every", "dekad")
    assert dekads["days"] == ["2023-09-10", "2023-09-20", "2023-09-30"]


def test_trend_by_unit_names_each_unit_and_its_county(cli: Run, example: Path) -> None:
    document = _json(cli, "trend", example, "--as-of", "2023-09-10", "--by", "unit")
    assert [(r["key"], r["name"], r["county"]) for r in document["rows"]] == [
        ("a", "甲单位", "410101"),
        ("b", "乙单位", "410102"),
    ]


def test_trend_filters_as_rollup_does(cli: Run, example: Path) -> None:
    document = _json(cli, "trend", example, "--as-of", "2023-09-10", "--county", "乙区")
    assert [r["key"] for r in document["rows"]] == ["410102"]
    assert document["total"]["tasks"] == 3


def test_trend_speaks_chinese(cli: Run, example: Path) -> None:
    out = _ok(cli, "trend", example, "--as-of", "2023-09-10", "--lang", "zh")
    assert out.startswith("按区县统计进度走势,2023-09-01 至 2023-09-10,每周(周日)\n")
    assert "序时进度" in out
    assert "落后百分点" in out
    assert [line.split()[-1] for line in out.splitlines()[4:6]] == ["绿", "红"]
    assert out.splitlines()[-1].split()[-1] == "黄"


def test_rollup_lights_and_ranks_of_the_worked_example(cli: Run, example: Path) -> None:
    document = _json(cli, "rollup", example, "--as-of", "2023-09-10")
    assert document["compare"] == "2023-09-03"  # a week before, by default
    a, b = document["rows"]
    assert (a["tasks_due"], a["expected"], a["behind"], a["light"]) == (3, 0.75, 0.0, "green")
    assert (a["rank"], a["rank_then"], a["rank_change"]) == (1, 2, 1)
    assert (b["behind"], b["light"], b["rank"], b["rank_then"], b["rank_change"]) == (
        33.3,
        "red",
        2,
        1,
        -1,
    )
    total = document["total"]
    assert (total["light"], total["behind"], total["rank"]) == ("yellow", 14.3, None)
    same = _json(cli, "rollup", example, "--as-of", "2023-09-10", "--compare", "2023-09-10")
    assert [r["rank_change"] for r in same["rows"]] == [0, 0]


def test_rollup_table_shows_lights_and_ranks_only_when_asked(cli: Run, example: Path) -> None:
    plain = _ok(cli, "rollup", example, "--as-of", "2023-09-10")
    assert "Light" not in plain
    assert "Rank" not in plain
    out = _ok(cli, "rollup", example, "--as-of", "2023-09-10", "--lights", "--rank")
    header, _, a, b, _, total, note = out.splitlines()[2:]
    assert " ".join(header.split()[-8:]) == "Expected % Behind (pts) Light Rank Change Note"
    assert a.split()[-5:] == ["75.0%", "0.0", "green", "1", "+1"]
    assert b.split()[-5:] == ["66.7%", "33.3", "red", "2", "-1"]
    assert total.split()[-3:] == ["71.4%", "14.3", "yellow"]
    assert note == "Rank: least behind expected progress first; change since 2023-09-03."


def test_rollup_csv_lights_are_numbers(cli: Run, example: Path) -> None:
    out = _ok(cli, "rollup", example, "--as-of", "2023-09-10", "--lights", "--rank", "-f", "csv")
    rows = list(csv.reader(io.StringIO(out[1:])))
    at = rows[0].index("Expected %")
    assert rows[0][at : at + 5] == ["Expected %", "Behind (pts)", "Light", "Rank", "Change"]
    assert [r[at : at + 5] for r in rows[1:]] == [
        ["75.0", "0.0", "green", "1", "1"],
        ["66.7", "33.3", "red", "2", "-1"],
        ["71.4", "14.3", "yellow", "", ""],
    ]


def test_a_compare_day_after_the_report_day_is_a_usage_error(cli: Run, example: Path) -> None:
    result = cli("rollup", example, "--as-of", "2023-09-10", "--compare", "+1d")
    assert result.code == 2
    assert "--compare 2023-09-11 comes after the report day 2023-09-10" in result.err


def test_lights_from_campaign_toml(cli: Run, example: Path) -> None:
    toml = example / "campaign.toml"
    toml.write_text(CAMPAIGN + "\n[lights]\nyellow = 15\nred = 35\n", encoding="utf-8")
    document = _json(cli, "trend", example, "--as-of", "2023-09-10")
    assert document["lights"] == {"yellow": 15, "red": 35}
    # 33.3 behind: red from 30 points, yellow from 15 to 35; the total (14.3) turns green.
    assert document["rows"][1]["series"][-1]["light"] == "yellow"
    assert document["total"]["series"][-1]["light"] == "green"


@pytest.mark.parametrize(
    ("lights", "message", "zh"),
    [
        ("yellow = 30\nred = 30", "yellow (30) must be below red (30)", "要小于红灯"),
        ("yellow = 40", "yellow (40) must be below red (30)", "要小于红灯"),
        ("red = 101", "red = 101: lights are 0 to 100 percentage points behind", "0 到 100"),
        ("yellow = -1", "yellow = -1: lights are 0 to 100", "0 到 100"),
    ],
)
def test_lights_that_cannot_work_are_a_config_error(
    cli: Run, example: Path, lights: str, message: str, zh: str
) -> None:
    (example / "campaign.toml").write_text(CAMPAIGN + f"\n[lights]\n{lights}\n", encoding="utf-8")
    english = cli("validate", example, "--format", "json")
    assert english.code == 2
    (problem,) = json.loads(english.out)["problems"]
    assert problem["code"] == "E213"
    assert message in problem["message"]
    chinese = cli("validate", example, "--format", "json", "--lang", "zh")
    (problem,) = json.loads(chinese.out)["problems"]
    assert zh in problem["message"]


def test_sparkline() -> None:
    assert sparkline([]) == ""
    assert sparkline([0, 0.125, 0.5, 0.99, 1, None]) == "▁▂▅██ "
    long = sparkline([i / 99 for i in range(100)])
    assert len(long) == 30
    assert long[0] == "▁"
    assert long[-1] == "█"
