"""--as-known DAY: the figures of the files as committed on DAY, as a checkout of then gives."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Result
from history.gitrepo import CAMPAIGN, Repo, task


def _history(repo: Repo, *, campaign_changes: bool = True) -> str:
    """Three days of commits; returns the commit of 2023-11-13, the day asked about."""
    repo.unit(
        "a", tasks=task("学习", "2023-10-20") + task("调研", "2023-11-10", measure="research")
    )
    repo.unit("b", tasks=task("学习", "2023-11-01"))
    repo.commit("2023-09-10")
    repo.unit(
        "a",
        tasks=task("学习", "2023-10-20", extra="done = 2023-10-25\n")
        + task("调研", "2023-11-10", measure="research"),
    )
    repo.commit("2023-11-13", "morning")
    repo.unit("b", tasks=task("学习", "2023-11-01", extra="done = 2023-11-12\n"))
    that_day = repo.commit("2023-11-13", "evening")
    # After the day: due dates moved, a task done, a unit added, a county's target raised.
    repo.unit(
        "a",
        tasks=task("学习", "2023-10-20", extra="done = 2023-10-25\n")
        + task("调研", "2023-12-10", measure="research"),
    )
    repo.unit("c", county="410105", tasks=task("学习", "2023-11-01"))
    if campaign_changes:
        repo.write("campaign.toml", CAMPAIGN.replace("expected_units = 3", "expected_units = 5"))
    repo.commit("2023-11-16")
    return that_day


@pytest.mark.parametrize("command", ["rollup", "status"])
@pytest.mark.parametrize("output_format", ["json", "table"])
def test_as_known_equals_the_checkout_of_that_day(
    in_repo: Repo,
    tmp_path: Path,
    cli: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
    command: str,
    output_format: str,
) -> None:
    that_day = _history(in_repo)
    known = cli(
        command,
        "--as-known",
        "2023-11-13",
        "--format",
        output_format,
        "--all" if command == "status" else "--lang=en",
        "--no-cache",
    )
    assert known.code == 0, known.err
    today = cli(
        command,
        "--as-of",
        "2023-11-13",
        "--format",
        output_format,
        "--no-cache",
        *(["--all"] if command == "status" else []),
    )
    assert today.out != known.out  # the files changed since: the comparison can fail
    checkout = tmp_path / "then"
    subprocess.run(["git", "clone", "-q", str(in_repo.root), str(checkout)], check=True)
    subprocess.run(["git", "-C", str(checkout), "checkout", "-q", that_day], check=True)
    monkeypatch.chdir(checkout)
    then = cli(
        command,
        "--as-of",
        "2023-11-13",
        "--format",
        output_format,
        "--no-cache",
        *(["--all"] if command == "status" else ["--lang=en"]),
    )
    assert then.code == 0, then.err
    assert known.out == then.out


def test_as_known_before_the_first_commit(in_repo: Repo, cli: Callable[..., Result]) -> None:
    _history(in_repo)
    result = cli("rollup", "--as-known", "2023-09-01")
    assert result.code == 2
    assert "no commit on or before" in result.err


def test_unchanged_files_come_from_the_working_copy_and_its_cache(
    in_repo: Repo, tmp_path: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    """campaign.toml unchanged: b's file is today's (through the store), a's from its blob."""
    that_day = _history(in_repo, campaign_changes=False)
    in_repo.unit("b", tasks=task("学习", "2023-11-01"))  # uncommitted: b is read from its blob
    first = cli("rollup", "--as-known", "2023-11-13", "--format", "json")
    warm = cli("rollup", "--as-known", "2023-11-13", "--format", "json")
    assert first.code == warm.code == 0
    assert first.out == warm.out
    checkout = tmp_path / "then"
    subprocess.run(["git", "clone", "-q", str(in_repo.root), str(checkout)], check=True)
    subprocess.run(["git", "-C", str(checkout), "checkout", "-q", that_day], check=True)
    monkeypatch.chdir(checkout)
    then = cli("rollup", "--as-of", "2023-11-13", "--format", "json", "--no-cache")
    assert then.out == first.out
