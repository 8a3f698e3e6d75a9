"""rollup --milestones: each unit's submission day is its file's first commit (迟报/缺报)."""

from __future__ import annotations

import json
from collections.abc import Callable

from conftest import Result
from history.gitrepo import CAMPAIGN, Repo, task

MILESTONES = """
[[milestones]]
date = 2023-09-13
name = "县级清单报送"
level = "county"
expected_units = 1

[[milestones]]
date = 2023-09-17
name = "基层全部启动"
level = "grassroots"
expect = "started"
expected_units = 2
"""


def test_met_late_and_missing_per_county(in_repo: Repo, cli: Callable[..., Result]) -> None:
    in_repo.write("campaign.toml", CAMPAIGN + MILESTONES)
    in_repo.unit("c1", level="county")
    in_repo.unit("g1", tasks=task("学习", "2023-10-20"))
    in_repo.commit("2023-09-12")
    in_repo.unit("g2", tasks=task("学习", "2023-10-20", extra="done = 2023-09-15\n"))
    in_repo.commit("2023-09-15")
    in_repo.unit("c2", county="410105", level="county")
    in_repo.git("mv", "units/410103/c1.toml", "units/410103/c1-moved.toml")  # still submitted 9-12
    in_repo.commit("2023-09-16")
    in_repo.unit("g1", tasks=task("学习", "2023-10-20", extra="done = 2023-09-19\n"))
    in_repo.commit("2023-09-20")
    result = cli("rollup", "--milestones", "--format", "json")
    assert result.code == 0, result.err
    rows = {(r["milestone"], r["county"]): r for r in json.loads(result.out)["milestones"]}
    county_erqi = rows["县级清单报送", "410103"]
    assert (county_erqi["met"], county_erqi["late"], county_erqi["missing"]) == (1, [], 0)
    county_jinshui = rows["县级清单报送", "410105"]
    assert county_jinshui["met"] == 0
    assert county_jinshui["late"] == [{"unit": "c2", "days_late": 3}]
    assert county_jinshui["missing"] == 0
    started_erqi = rows["基层全部启动", "410103"]
    # g2 started on 9-15 (met); g1's first done date was committed on 9-20: 3 days late
    assert (started_erqi["met"], started_erqi["late"]) == (1, [{"unit": "g1", "days_late": 3}])
    assert started_erqi["missing"] == 0
    started_jinshui = rows["基层全部启动", "410105"]
    assert (started_jinshui["met"], started_jinshui["missing"]) == (0, 2)
    table = cli("rollup", "--milestones", "--lang", "zh")
    assert table.code == 0
    assert "迟报" in table.out
    assert "c2 (+3)" in table.out


def test_without_milestones_the_command_says_how_to_add_them(
    in_repo: Repo, cli: Callable[..., Result]
) -> None:
    in_repo.unit("a")
    in_repo.commit("2023-09-12")
    result = cli("rollup", "--milestones")
    assert result.code == 0
    assert "no [[milestones]]" in result.out


def test_a_wrong_milestone_is_a_config_error(in_repo: Repo, cli: Callable[..., Result]) -> None:
    bad = MILESTONES.replace('expect = "started"', 'expect = "begun"\ncounties = ["999999"]')
    in_repo.write("campaign.toml", CAMPAIGN + bad + "\n[history]\nbackdate_days = -1\n")
    in_repo.unit("a")
    in_repo.commit("2023-09-12")
    result = cli("rollup", "--milestones")
    assert result.code == 2
    assert 'expect = "begun" in [[milestones]] #2 is not one of file, started' in result.err
    assert 'names the county "999999"' in result.err
    assert "backdate_days is negative (-1)" in result.err


def test_changes_show_the_milestones_dated_within_the_window(
    in_repo: Repo, cli: Callable[..., Result]
) -> None:
    in_repo.write("campaign.toml", CAMPAIGN + MILESTONES)
    in_repo.unit("c1", level="county")
    in_repo.commit("2023-09-12")
    in_repo.unit("c2", county="410105", level="county")
    in_repo.commit("2023-09-16")
    both = cli("changes", "--since", "2023-09-10", "--format", "json")
    assert both.code == 0, both.err
    found = json.loads(both.out)["milestones"]
    assert {r["milestone"] for r in found} == {"县级清单报送", "基层全部启动"}
    late = {r["county"]: r["late"] for r in found if r["milestone"] == "县级清单报送"}
    assert late["410105"] == [{"unit": "c2", "days_late": 3}]  # as rollup --milestones says
    rollup = json.loads(cli("rollup", "--milestones", "--format", "json").out)["milestones"]
    assert found == rollup
    second = json.loads(cli("changes", "--since", "2023-09-14", "--format", "json").out)
    assert {r["milestone"] for r in second["milestones"]} == {"基层全部启动"}
    none = json.loads(cli("changes", "--since", "2023-09-18", "--format", "json").out)
    assert none["milestones"] == []
    table = cli("changes", "--since", "2023-09-10", "--lang", "zh")
    assert "县级清单报送" in table.out
    assert "c2 (+3)" in table.out
