"""The shipped pre-commit hook, run by the real pre-commit in a real git repository.

The hook of .pre-commit-hooks.yaml is used as shipped, as a `repo: local` hook whose
entry starts this interpreter's checklist (language: system: no network, no venv).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import REPO, Result

from checklist.load.result import UnitResult
from checklist.load.validate import Report, for_commit
from checklist.model import Problem, Severity

try:
    import pre_commit  # noqa: F401
    import yaml
except ImportError:
    yaml = None

needs_precommit = pytest.mark.skipif(
    yaml is None or shutil.which("git") is None, reason="pre-commit or git is not installed"
)

EXAMPLE = REPO / "examples" / "zhengzhou"
UNIT = "units/410102/zhongyuan-committee.toml"


def _config(campaign: str = ".") -> str:
    """.pre-commit-config.yaml with the shipped hook, local, and no `files:` line."""
    assert yaml is not None
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert "files" not in hook
    assert hook["entry"].startswith("checklist ")
    hook["entry"] = f"{sys.executable} -m checklist {hook['entry'].removeprefix('checklist ')}"
    hook["language"] = "system"
    return yaml.safe_dump({"repos": [{"repo": "local", "hooks": [hook]}]})


def _run(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(repo.parent / "pre-commit-home"),
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.cn",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.cn",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    return subprocess.run(
        args, cwd=repo, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def _repo(tmp_path: Path, campaign: Path = EXAMPLE) -> Path:
    """A git repository holding a copy of the campaign, committed, with the hook installed."""
    repo = tmp_path / "repo"
    shutil.copytree(campaign, repo)
    (repo / ".pre-commit-config.yaml").write_text(_config(), encoding="utf-8")
    _run(repo, "git", "init", "-q", "-b", "main")
    _git_commit(repo, "--no-verify", message="start")
    installed = _run(repo, sys.executable, "-m", "pre_commit", "install")
    assert installed.returncode == 0, installed.stderr
    return repo


def _git_commit(
    repo: Path, *options: str, message: str = "change"
) -> subprocess.CompletedProcess[str]:
    added = _run(repo, "git", "add", "-A")
    assert added.returncode == 0, added.stderr
    return _run(repo, "git", "commit", "-q", "-m", message, *options)


def _commits(repo: Path) -> int:
    return int(_run(repo, "git", "rev-list", "--count", "HEAD").stdout)


@needs_precommit
def test_a_commit_of_a_valid_campaign_toml_alone_passes(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    config = repo / "campaign.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "郑州市第二批主题教育", "郑州市第二批主题教育(修订)"
        ),
        encoding="utf-8",
    )
    committed = _git_commit(repo)
    assert committed.returncode == 0, committed.stdout + committed.stderr
    assert "checklist validate" in committed.stdout + committed.stderr  # the hook did run
    assert _commits(repo) == 2


@needs_precommit
def test_a_broken_campaign_toml_fails_with_its_problems(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    with (repo / "campaign.toml").open("a", encoding="utf-8") as handle:
        handle.write("\n[campaign]\n")
    committed = _git_commit(repo)
    out = committed.stdout + committed.stderr
    assert committed.returncode != 0
    assert "exit code: 2" in out
    assert "E005" in out
    assert "campaign.toml:" in out
    assert _commits(repo) == 1


@needs_precommit
def test_a_campaign_toml_that_breaks_untouched_units_fails(tmp_path: Path) -> None:
    """Removing a county judges every unit again: those of the county now fail."""
    repo = _repo(tmp_path)
    config = repo / "campaign.toml"
    text = config.read_text(encoding="utf-8")
    block = re.search(r'\[\[counties\]\]\ncode = "410102"\n(?:[^\[\n].*\n)*', text)
    assert block is not None
    text = text.replace(block.group(0), "").replace('"410102", ', "")  # and from its group
    config.write_text(text, encoding="utf-8")
    committed = _git_commit(repo)
    out = committed.stdout + committed.stderr
    assert committed.returncode != 0
    assert "exit code: 1" in out
    assert UNIT in out
    assert _commits(repo) == 1


@needs_precommit
def test_a_unit_sharing_an_id_with_an_untouched_file_fails(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    copy = repo / "units" / "410103" / "zhongyuan-committee.toml"
    shutil.copyfile(repo / UNIT, copy)
    committed = _git_commit(repo)
    out = committed.stdout + committed.stderr
    assert committed.returncode != 0
    assert "exit code: 1" in out
    assert out.count("E301") == 2  # in the new file, and in the untouched one it clashes with
    # The staged file's problem comes first.
    assert out.index("--> units/410103/zhongyuan-committee.toml") < out.index(f"--> {UNIT}")
    assert _commits(repo) == 1


@pytest.mark.parametrize(
    "name", ["pyproject.toml", "units/tombi.toml", "units/.taplo.toml", "units/410103/taplo.toml"]
)
@needs_precommit
def test_tool_configs_beside_the_units_are_not_units(tmp_path: Path, name: str) -> None:
    repo = _repo(tmp_path)
    (repo / name).write_text("[tool.x]\nline-length = 100\n", encoding="utf-8")
    committed = _git_commit(repo)
    assert committed.returncode == 0, committed.stdout + committed.stderr
    assert _commits(repo) == 2
    # Neither is one of the whole campaign's units.
    checked = _run(repo, sys.executable, "-m", "checklist", "validate", "--format", "json")
    assert checked.returncode == 0, checked.stdout
    assert json.loads(checked.stdout)["checked"] == 57


@needs_precommit
def test_problems_in_untouched_files_do_not_fail_a_commit(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    broken = repo / "units" / "410103" / "erqi-committee.toml"
    broken.write_text(broken.read_text(encoding="utf-8") + "\nbogus = 1\n", encoding="utf-8")
    assert _git_commit(repo, "--no-verify").returncode == 0
    unit = repo / UNIT
    unit.write_text(unit.read_text(encoding="utf-8") + "\n# 更新\n", encoding="utf-8")
    _run(repo, "git", "add", "-A")
    run = _run(repo, sys.executable, "-m", "pre_commit", "run", "--verbose", "--files", UNIT)
    assert run.returncode == 0, run.stdout
    assert "1 problem(s) in 1 file(s) this commit does not touch" in run.stdout
    # The whole campaign, as CI runs it, still fails.
    every = _run(repo, sys.executable, "-m", "pre_commit", "run", "--all-files")
    assert every.returncode != 0
    assert "units/410103/erqi-committee.toml" in every.stdout


def _unit_id(path: Path) -> str:
    unit = tomllib.loads(path.read_text(encoding="utf-8"))["unit"]
    return str(unit.get("id", path.stem))


@needs_precommit
def test_a_split_file_list_still_finds_a_shared_id(tmp_path: Path) -> None:
    """2,000 units under a long folder: pre-commit splits the list, and the pair apart."""
    source = tmp_path / "generated"
    made = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "generate.py"), "--units", "2000", str(source)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert made.returncode == 0, made.stderr
    repo = tmp_path / "repo"
    repo.mkdir()
    campaign = "campaigns/zhengzhou-second-batch-theme-education-2023-measures"
    shutil.copytree(source, repo / campaign)
    (repo / ".pre-commit-config.yaml").write_text(_config(), encoding="utf-8")
    _run(repo, "git", "init", "-q", "-b", "main")
    _git_commit(repo, "--no-verify", message="start")
    assert _run(repo, sys.executable, "-m", "pre_commit", "install").returncode == 0
    files = sorted(_run(repo, "git", "ls-files").stdout.split())
    units = [f for f in files if f.startswith(f"{campaign}/units/")]
    assert len(units) == 2000
    # More than pre-commit's 128 KiB of arguments: at least two runs.
    assert sum(len(f) + 1 for f in units) > 2**17

    clean = _run(repo, sys.executable, "-m", "pre_commit", "run", "--all-files", "--verbose")
    assert clean.returncode == 0, clean.stdout[-2000:]
    runs = clean.stdout.count("All good: 2000 files checked")
    assert runs >= 2

    # The first unit's id, given to the last one: the two are in different runs.
    first, last = units[0], units[-1]
    first_id = _unit_id(repo / first)
    text = (repo / last).read_text(encoding="utf-8")
    own = f'id = "{_unit_id(repo / last)}"\n'
    text = text.replace(own, "", 1) if text.startswith(own, text.index("[unit]\n") + 7) else text
    (repo / last).write_text(
        text.replace("[unit]\n", f'[unit]\nid = "{first_id}"\n', 1), encoding="utf-8"
    )
    _run(repo, "git", "add", "-A")
    split = _run(repo, sys.executable, "-m", "pre_commit", "run", "--all-files")
    assert split.returncode != 0
    assert "E301" in split.stdout
    assert f'unit id "{first_id}" is also used by {last}' in split.stdout
    committed = _git_commit(repo)
    assert committed.returncode != 0
    assert "E301" in committed.stdout + committed.stderr


# The split itself, and --hook without pre-commit: fast, and run wherever the suite runs.


def _problem(file: str, code: str, severity: Severity = Severity.ERROR) -> Problem:
    return Problem(file, 1, 1, severity, code, "rule", "message")


def _result(file: str, unit_id: str, *codes: str) -> UnitResult:
    return UnitResult(file, None, tuple(_problem(file, c) for c in codes), unit_id=unit_id)


REPORT = Report(
    (
        _result("a.toml", "a", "E301"),
        _result("b.toml", "b", "E102"),
        _result("c.toml", "a", "E301"),
        _result("d.toml", "d", "E301"),
        _result("e.toml", "d", "E301"),
    )
)


def test_a_commit_answers_for_its_files_and_the_ids_they_share() -> None:
    split = for_commit(REPORT, {"c.toml"}, campaign_changed=False)
    assert [p.file for p in split.own] == ["c.toml", "a.toml"]  # its own first
    assert [p.file for p in split.others] == ["b.toml", "d.toml", "e.toml"]
    assert split.checked == 5


def test_a_changed_campaign_answers_for_every_unit() -> None:
    split = for_commit(REPORT, set(), campaign_changed=True)
    assert split.own == REPORT.problems
    assert split.others == ()


def test_a_commit_of_no_unit_answers_for_nothing() -> None:
    split = for_commit(REPORT, {"pyproject.toml"}, campaign_changed=False)
    assert split.own == ()
    assert len(split.others) == 5


def _campaign(tmp_path: Path) -> Path:
    root = tmp_path / "c"
    shutil.copytree(EXAMPLE, root)
    return root


def test_hook_checks_the_whole_campaign_for_campaign_toml_alone(
    tmp_path: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(_campaign(tmp_path))
    result = cli("validate", "--hook", "campaign.toml", "--format", "json")
    assert result.code == 0, result.out
    assert json.loads(result.out)["checked"] == 57


def test_hook_ignores_toml_files_outside_any_campaign(
    tmp_path: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.x]\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = cli("validate", "--hook", "pyproject.toml", "--format", "json")
    assert result.code == 0, result.err
    assert json.loads(result.out) == {
        "schema_version": 1,
        "lang": "en",
        "checked": 0,
        "errors": 0,
        "warnings": 0,
        "problems": [],
    }


def test_hook_given_a_folder_answers_for_all_of_it(
    tmp_path: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _campaign(tmp_path)
    broken = root / "units" / "410103" / "erqi-committee.toml"
    broken.write_text(broken.read_text(encoding="utf-8") + "\nbogus = 1\n", encoding="utf-8")
    monkeypatch.chdir(root)
    inside = cli("validate", "--hook", "units/410103", "--format", "json")
    assert inside.code == 1
    assert {p["file"] for p in json.loads(inside.out)["problems"]} == {
        "units/410103/erqi-committee.toml"
    }
    elsewhere = cli("validate", "--hook", "units/410102", "--format", "json")
    assert elsewhere.code == 0
    assert json.loads(elsewhere.out)["problems"] == []
    assert "1 problem(s) in 1 file(s) this commit does not touch" in elsewhere.err


@pytest.mark.parametrize("name", ["pyproject.toml", "tombi.toml", ".taplo.toml", "ruff.toml"])
def test_tool_configs_are_never_units(
    tmp_path: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    root = _campaign(tmp_path)
    for folder in (root, root / "units", root / "units" / "410103"):
        (folder / name).write_text("[tool.x]\nline-length = 1\n", encoding="utf-8")
    monkeypatch.chdir(root)
    walked = cli("validate", "--format", "json")
    assert walked.code == 0, walked.out
    assert json.loads(walked.out)["checked"] == 57
    named = cli("validate", "--format", "json", f"units/410103/{name}", "units/410103")
    assert named.code == 0, named.out
    units = len(list((EXAMPLE / "units" / "410103").glob("*.toml")))
    assert json.loads(named.out)["checked"] == units
