"""checklist changes on real repositories: every kind of change, credited to its commit."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from conftest import Result
from history.gitrepo import Repo, task


def _changes(cli: Callable[..., Result], *args: str) -> dict[str, Any]:
    result = cli("changes", "--format", "json", *args)
    assert result.code == 0, result.err
    return json.loads(result.out)  # type: ignore[no-any-return]


def _kinds(document: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    return [(c["unit"], c["kind"], c["title"]) for c in document["changes"]]


def _week(repo: Repo) -> None:
    """Before the week: two units. In it (2023-11-13 on): every kind of change."""
    repo.unit(
        "a",
        tasks=task("学习一", "2023-10-01")
        + task("学习二", "2023-10-15")
        + task("调研", "2023-11-10", measure="research"),
    )
    repo.unit("b", tasks=task("学习", "2023-10-20"))
    repo.unit("gone", county="410105")
    repo.commit("2023-09-10", "start")
    # done on time by 王五; a due date moved silently; a task added; one removed
    repo.unit(
        "a",
        tasks=task("学习一", "2023-10-01", extra="done = 2023-11-13\n")
        + task("学习二", "2023-10-30")
        + task("学习三", "2023-12-01"),
    )
    repo.commit("2023-11-14", author="王五")
    # done 25 days before it was written (补录); a due date postponed on the record
    repo.unit(
        "b",
        tasks=task(
            "学习",
            "2023-11-25",
            extra='postponed_from = 2023-10-20\npostpone_reason = "等上级文件"\n',
        ),
    )
    repo.commit("2023-11-15", author="李四")
    repo.unit(
        "b",
        tasks=task(
            "学习",
            "2023-11-25",
            extra="postponed_from = 2023-10-20\n"
            'postpone_reason = "等上级文件"\ndone = 2023-10-21\n',
        ),
    )
    (repo.root / "units/410105/gone.toml").unlink()
    repo.unit("new", county="410105")
    repo.commit("2023-11-16", author="李四")


def test_every_kind_of_change_in_a_week(in_repo: Repo, cli: Callable[..., Result]) -> None:
    _week(in_repo)
    document = _changes(cli, "--since", "1w")
    assert _kinds(document) == [
        ("a", "done", "学习一"),
        ("a", "added", "学习三"),
        ("a", "removed", "调研"),
        ("a", "moved", "学习二"),
        ("b", "done", "学习"),
        ("b", "postponed", "学习"),
        ("gone", "unit_removed", None),
        ("new", "unit_added", None),
    ]
    by_kind = {(c["unit"], c["kind"]): c for c in document["changes"]}
    done = by_kind["a", "done"]
    assert (done["date"], done["author"], done["committed"]) == ("2023-11-13", "王五", "2023-11-14")
    assert done["backdated_days"] is None
    late = by_kind["b", "done"]
    # written on 2023-11-16, done on 2023-10-21: 26 days late, more than the default 3
    assert (late["date"], late["committed"], late["backdated_days"]) == (
        "2023-10-21",
        "2023-11-16",
        26,
    )
    moved = by_kind["a", "moved"]
    assert (moved["before"], moved["date"], moved["silent"]) == ("2023-10-15", "2023-10-30", True)
    postponed = by_kind["b", "postponed"]
    assert (postponed["before"], postponed["reason"], postponed["silent"]) == (
        "2023-10-20",
        "等上级文件",
        False,
    )
    assert postponed["committed"] == "2023-11-15"
    assert document["counts"]["backdated"] == 1
    # git pairs the two alike files of 2023-11-16 as a rename; they hold two units
    gone, new = by_kind["gone", "unit_removed"], by_kind["new", "unit_added"]
    assert (gone["author"], gone["committed"]) == (new["author"], new["committed"])
    assert (new["author"], new["committed"]) == ("李四", "2023-11-16")
    assert document["worktree"] is True


def test_since_a_day_leaves_out_what_came_before(in_repo: Repo, cli: Callable[..., Result]) -> None:
    _week(in_repo)
    document = _changes(cli, "--since", "2023-11-15")
    assert {c["unit"] for c in document["changes"]} == {"b", "gone", "new"}
    assert _kinds(_changes(cli, "--since", "2023-11-15", "--until", "2023-11-15")) == [
        ("b", "postponed", "学习"),
    ]


def test_since_a_commit(in_repo: Repo, cli: Callable[..., Result]) -> None:
    _week(in_repo)
    assert _kinds(_changes(cli, "--since", "HEAD~1")) == [
        ("b", "done", "学习"),
        ("gone", "unit_removed", None),
        ("new", "unit_added", None),
    ]


def test_the_readme_example_is_real_output(in_repo: Repo, cli: Callable[..., Result]) -> None:
    from conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("$ checklist changes --since 1w\n", 1)[1].split("```", 1)[0]
    _week(in_repo)
    result = cli("changes", "--since", "1w", "--lang", "en")
    assert result.code == 0
    assert result.out == block
