"""status --stale and rollup --history: what the whole history says of each unit."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from conftest import Result
from history.gitrepo import Repo, task, unit_text


def _json(cli: Callable[..., Result], *args: str) -> dict[str, Any]:
    result = cli(*args, "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)  # type: ignore[no-any-return]


def test_stale_units_have_open_tasks_and_an_old_last_commit(
    in_repo: Repo, cli: Callable[..., Result]
) -> None:
    in_repo.unit("quiet", tasks=task("学习", "2023-12-01"))
    # every measure and task done: nothing open
    finished = re.sub(r"^(due = .*)$", r"\1\ndone = 2023-09-09", unit_text("finished"), flags=re.M)
    in_repo.write("units/410103/finished.toml", finished)
    in_repo.unit("busy", tasks=task("学习", "2023-12-01"))
    in_repo.unit("moved", county="410105", tasks=task("学习", "2023-12-01"))
    in_repo.commit("2023-09-10")
    in_repo.unit("busy", tasks=task("学习", "2023-12-02"))
    in_repo.commit("2023-11-10")
    in_repo.git("mv", "units/410105/moved.toml", "units/410105/moved2.toml")
    in_repo.commit("2023-11-01")  # a rename touches the file
    # As of 2023-11-20 (conftest): quiet 71 days, moved 19, busy 10; finished has nothing
    # open. Open: the study task and the four measures without tasks, each one task.
    document = _json(cli, "status", "--stale", "14d")
    assert [(u["unit"], u["days"], u["open_tasks"]) for u in document["units"]] == [
        ("quiet", 71, 5),
        ("moved", 19, 5),
    ]
    assert document["units"][0]["last_commit"] == "2023-09-10"
    assert [u["unit"] for u in _json(cli, "status", "--stale", "3w")["units"]] == ["quiet"]
    table = cli("status", "--stale", "14")
    assert table.code == 0
    assert "2 stale unit(s)" in table.out
    assert cli("status", "--stale", "soon").code == 2


def test_back_dated_done_dates_per_county(in_repo: Repo, cli: Callable[..., Result]) -> None:
    in_repo.unit(
        "a", tasks=task("一", "2023-10-01") + task("二", "2023-10-05") + task("三", "2023-10-09")
    )
    in_repo.unit("b", county="410105", tasks=task("一", "2023-10-01"))
    in_repo.commit("2023-09-10")
    # a: 一 done 9-30, written 10-01 (1 day: in time); 二 done 10-01 written 10-10 (9 days)
    in_repo.unit(
        "a",
        tasks=task("一", "2023-10-01", extra="done = 2023-09-30\n")
        + task("二", "2023-10-05")
        + task("三", "2023-10-09"),
    )
    in_repo.commit("2023-10-01")
    in_repo.unit(
        "a",
        tasks=task("一", "2023-10-01", extra="done = 2023-09-30\n")
        + task("二", "2023-10-05", extra="done = 2023-10-01\n")
        + task("三", "2023-10-09"),
    )
    in_repo.unit("b", county="410105", tasks=task("一", "2023-10-01", extra="done = 2023-10-03\n"))
    in_repo.commit("2023-10-10")
    # 三 done 10-02, written 10-12 (10 days), then a later edit keeps it: still first 10-12
    in_repo.unit(
        "a",
        tasks=task("一", "2023-10-01", extra="done = 2023-09-30\n")
        + task("二", "2023-10-05", extra="done = 2023-10-01\n")
        + task("三", "2023-10-09", extra="done = 2023-10-02\n"),
    )
    in_repo.commit("2023-10-12")
    in_repo.unit(
        "a",
        tasks=task("一", "2023-10-01", extra="done = 2023-09-30\n")
        + task("二", "2023-10-05", extra="done = 2023-10-01\n")
        + task("三", "2023-10-20", extra="done = 2023-10-02\n"),
    )
    in_repo.commit("2023-11-01")
    rows = {r["county"]: r for r in _json(cli, "rollup", "--history")["rows"]}
    assert rows["410103"] == {"county": "410103", "recorded": 3, "backdated": 2, "most_days": 10}
    # b: done 10-03, written 10-10: 7 days, more than 3
    assert rows["410105"] == {"county": "410105", "recorded": 1, "backdated": 1, "most_days": 7}
    table = cli("rollup", "--history", "--lang", "zh")
    assert table.code == 0
    assert "补录" in table.out
    assert "75.0%" in table.out  # 3 of 4 back-dated in the total row
