"""The history's hard cases: renames, merges, shallow clones, no repository, broken files."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import Result
from history.gitrepo import Repo, task


def _changes(cli: Callable[..., Result], *args: str) -> dict[str, Any]:
    result = cli("changes", "--format", "json", *args)
    assert result.code == 0, result.err
    return json.loads(result.out)  # type: ignore[no-any-return]


def _kinds(document: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    return [(c["unit"], c["kind"], c["title"]) for c in document["changes"]]


def test_a_renamed_file_is_followed(in_repo: Repo, cli: Callable[..., Result]) -> None:
    in_repo.unit("a", tasks=task("学习", "2023-10-20"))
    in_repo.commit("2023-09-10")
    in_repo.git("mv", "units/410103/a.toml", "units/410103/a-renamed.toml")
    in_repo.commit("2023-11-14")
    in_repo.write(
        "units/410103/a-renamed.toml",
        (in_repo.root / "units/410103/a-renamed.toml")
        .read_text(encoding="utf-8")
        .replace("due = 2023-10-20", "due = 2023-10-20\ndone = 2023-11-15"),
    )
    in_repo.commit("2023-11-15", author="赵六")
    document = _changes(cli, "--since", "1w")
    assert _kinds(document) == [("a", "renamed", None), ("a", "done", "学习")]
    renamed, done = document["changes"]
    assert renamed["was_file"] == "units/410103/a.toml"
    assert renamed["file"] == "units/410103/a-renamed.toml"
    assert (done["author"], done["committed"]) == ("赵六", "2023-11-15")


def test_a_merge_credits_the_branch_commits(in_repo: Repo, cli: Callable[..., Result]) -> None:
    in_repo.unit("a", tasks=task("学习", "2023-10-20"))
    in_repo.unit("b", tasks=task("调研", "2023-10-20"))
    in_repo.commit("2023-09-10")
    in_repo.git("checkout", "-q", "-b", "side")
    in_repo.unit("a", tasks=task("学习", "2023-10-20", extra="done = 2023-10-19\n"))
    in_repo.commit("2023-11-14", author="分支")
    in_repo.git("checkout", "-q", "main")
    in_repo.unit("b", tasks=task("调研", "2023-10-20", extra="done = 2023-11-15\n"))
    in_repo.commit("2023-11-15", author="主线")
    in_repo.git("merge", "-q", "--no-edit", "side", when="2023-11-16")
    document = _changes(cli, "--since", "1w")
    assert _kinds(document) == [("a", "done", "学习"), ("b", "done", "调研")]
    a, b = document["changes"]
    assert (a["author"], a["committed"], a["backdated_days"]) == ("分支", "2023-11-14", 26)
    assert (b["author"], b["committed"], b["backdated_days"]) == ("主线", "2023-11-15", None)


def test_a_file_broken_and_fixed_changes_nothing_of_its_own(
    in_repo: Repo, cli: Callable[..., Result]
) -> None:
    in_repo.unit("a", tasks=task("学习", "2023-10-20"))
    in_repo.commit("2023-09-10")
    in_repo.write("units/410103/a.toml", "[unit\nbroken")
    in_repo.commit("2023-11-14")
    in_repo.unit("a", tasks=task("学习", "2023-10-20", extra="done = 2023-11-15\n"))
    in_repo.commit("2023-11-15", author="修好")
    # Across both: one change, credited to the commit that fixed the file.
    document = _changes(cli, "--since", "1w")
    assert _kinds(document) == [("a", "done", "学习")]
    assert document["changes"][0]["author"] == "修好"
    # Up to the broken commit: the file is broken, with its errors counted.
    broken = _changes(cli, "--since", "1w", "--until", "2023-11-14")
    assert _kinds(broken) == [("a", "broken", None)]
    assert broken["changes"][0]["problems"] >= 1
    assert (broken["changes"][0]["author"], broken["changes"][0]["committed"]) == (
        "张三",
        "2023-11-14",
    )
    # From the broken commit on: fixed, by the commit that fixed it.
    fixed = _changes(cli, "--since", "HEAD~1")
    assert _kinds(fixed) == [("a", "fixed", None)]
    assert fixed["changes"][0]["author"] == "修好"


def test_uncommitted_changes_are_shown_as_such(in_repo: Repo, cli: Callable[..., Result]) -> None:
    in_repo.unit("a", tasks=task("学习", "2023-10-20"))
    in_repo.commit("2023-09-10")
    in_repo.unit("a", tasks=task("学习", "2023-10-20", extra="done = 2023-11-19\n"))
    in_repo.unit("b")  # a new file, never added
    document = _changes(cli, "--since", "1w")
    assert _kinds(document) == [("a", "done", "学习"), ("b", "unit_added", None)]
    assert all(c["uncommitted"] and c["commit"] is None for c in document["changes"])
    # --until leaves the working copy out
    assert _changes(cli, "--since", "1w", "--until", "HEAD")["changes"] == []


def test_a_shallow_clone_is_refused_with_the_hint(
    repo: Repo, tmp_path: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.unit("a")
    repo.commit("2023-09-10")
    repo.unit("a", tasks=task("学习", "2023-10-20"))
    repo.commit("2023-11-14")
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone)], check=True
    )
    monkeypatch.chdir(clone)
    result = cli("changes", "--since", "1w")
    assert result.code == 2
    assert "shallow clone" in result.err
    assert "fetch-depth: 0" in result.err
    assert result.out == ""


def test_a_folder_outside_any_repository(
    tmp_path: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    from history.gitrepo import CAMPAIGN

    folder = tmp_path / "plain"
    folder.mkdir()
    (folder / "campaign.toml").write_text(CAMPAIGN, encoding="utf-8")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    monkeypatch.chdir(folder)
    result = cli("changes")
    assert result.code == 2
    assert "not in a git repository" in result.err


def test_a_point_that_is_neither_day_nor_commit(in_repo: Repo, cli: Callable[..., Result]) -> None:
    in_repo.unit("a")
    in_repo.commit("2023-09-10")
    result = cli("changes", "--since", "no-such-thing")
    assert result.code == 2
    assert "neither a day" in result.err


def test_markdown_and_table_for_people(in_repo: Repo, cli: Callable[..., Result]) -> None:
    in_repo.unit("a", tasks=task("学习", "2023-10-20"))
    in_repo.commit("2023-09-10")
    in_repo.unit("a", tasks=task("学习", "2023-11-01"))
    in_repo.commit("2023-11-14", author="王五")
    markdown = cli("changes", "--format", "markdown", "--lang", "zh")
    assert markdown.code == 0
    assert "### 二七区" in markdown.out
    assert "- a 委员会:改期 学习 · 2023-11-01 (2023-10-20 →) **改期未记录** — 王五 2023-11-14" in (
        markdown.out
    )
    table = cli("changes", "--lang", "en")
    assert table.code == 0
    assert "due date moved" in table.out
    assert "moved silently" in table.out
    assert "1 change(s) in 1 unit(s)" in table.out


def test_only_the_campaigns_unit_files_count(in_repo: Repo, cli: Callable[..., Result]) -> None:
    in_repo.unit("a")
    in_repo.commit("2023-09-10")
    in_repo.write("pyproject.toml", "[tool]\n")  # a tool's settings, not a unit
    in_repo.write("notes/readme.md", "notes\n")
    in_repo.write("campaign.toml", (in_repo.root / "campaign.toml").read_text("utf-8") + "\n")
    in_repo.unit("b")
    in_repo.commit("2023-11-14")
    assert _kinds(_changes(cli, "--since", "1w")) == [("b", "unit_added", None)]
    # PATHS narrow it: only the folder of 410105 (nothing changed there)
    assert _changes(cli, "--since", "1w", "units/410105")["changes"] == []


def test_a_campaign_in_a_subfolder_of_the_repository(
    repo: Repo, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    from history.gitrepo import CAMPAIGN, unit_text

    repo.write("zz/campaign.toml", CAMPAIGN)
    repo.write("zz/units/410103/a.toml", unit_text("a"))
    repo.write("other/units/410103/x.toml", unit_text("x"))  # another campaign's file
    repo.commit("2023-09-10")
    repo.write("zz/units/410103/b.toml", unit_text("b"))
    repo.write("other/units/410103/y.toml", unit_text("y"))
    repo.commit("2023-11-14")
    monkeypatch.chdir(repo.root / "zz")
    document = _changes(cli, "--since", "1w")
    assert [(c["unit"], c["kind"], c["file"]) for c in document["changes"]] == [
        ("b", "unit_added", "units/410103/b.toml")
    ]
