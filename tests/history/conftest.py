"""The history tests' fixtures: a git repository holding a campaign."""

from __future__ import annotations

from pathlib import Path

import pytest

from history.gitrepo import CAMPAIGN, Repo


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    """An empty repository holding campaign.toml, not yet committed."""
    (tmp_path / "gitconfig").write_text("[init]\n\tdefaultBranch = main\n", encoding="utf-8")
    root = tmp_path / "city"
    root.mkdir()
    made = Repo(root)
    made.git("init", "-q")
    made.write("campaign.toml", CAMPAIGN)
    return made


@pytest.fixture
def in_repo(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> Repo:
    monkeypatch.chdir(repo.root)
    return repo
