"""examples/invalid: one small unit file per rule, each reporting exactly its `# expect:` lines.

Every example starts with a comment saying what it shows, then one `# expect: CODE at
LINE:COLUMN` line per problem `checklist validate` must report for it, and nothing else.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from checklist.cli.app import run
from checklist.load.source import MAX_BYTES
from checklist.rules.registry import RULES

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "invalid"
UNIT_FILES = sorted(p for p in EXAMPLES.rglob("*.toml") if p.name != "campaign.toml")
# A rule about campaign.toml itself is shown by a campaign folder of its own.
CONFIG_FILES = sorted(EXAMPLES.glob("*/campaign.toml"))
EXPECT = re.compile(rb"^# expect: ([EW]\d{3}) at (\d+):(\d+)$", re.MULTILINE)

Position = tuple[str, int, int]


def expected(path: Path) -> list[Position]:
    # Bytes, not text: E002-not-utf8.toml cannot be decoded; its expect line is ASCII.
    return [
        (code.decode(), int(line), int(col))
        for code, line, col in EXPECT.findall(path.read_bytes())
    ]


def positions(problems: list[dict[str, Any]]) -> list[Position]:
    return sorted((p["code"], p["line"], p["column"]) for p in problems)


def code_of(path: Path) -> str:
    """E101 for E101-unknown-key.toml; for a campaign.toml, its folder names the rule."""
    return (path.parent if path.name == "campaign.toml" else path).name[:4]


def name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # reported paths are relative to the working folder
    monkeypatch.setenv("CHECKLIST_AS_OF", "2023-11-20")  # done dates are judged against today
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)


@pytest.mark.parametrize("path", UNIT_FILES, ids=lambda p: p.relative_to(EXAMPLES).as_posix())
def test_example_reports_exactly_what_it_expects(
    path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Examples of one code are checked together: E301 needs both of its files.
    together = [name(p) for p in sorted(EXAMPLES.rglob(f"{code_of(path)}-*.toml"))]
    exit_code = run(["validate", "--format", "json", *together])
    report = json.loads(capsys.readouterr().out)
    problems = [p for p in report["problems"] if p["file"] == name(path)]

    assert positions(problems) == sorted(expected(path))
    assert all(p["message"] for p in problems)
    assert all(p["hint"] for p in problems if p["severity"] == "error")
    errors = any(code.startswith("E") for code, _, _ in expected(path))
    assert exit_code == (1 if errors else 0)
    if not errors:  # a warnings-only file fails only under --strict
        assert run(["validate", "--strict", *together]) == 1


@pytest.mark.parametrize("config", CONFIG_FILES, ids=lambda p: p.parent.name)
def test_broken_campaign_is_reported_before_any_unit(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exit_code = run(["validate", "--format", "json", name(config.parent)])
    # No unit can be checked without a campaign: exit 2, with its problems in the report.
    problems = json.loads(capsys.readouterr().out)["problems"]

    mine = [(p["code"], p["line"], p["column"]) for p in problems if p["file"] == name(config)]
    assert mine == expected(config)
    if any(code.startswith("E") for code, _, _ in expected(config)):
        assert exit_code == 2
        assert len(problems) == len(mine)
    else:  # a warning (W410, W411): the campaign loads, its units are checked
        assert exit_code == 0
        assert problems == [p for p in problems if p["file"] == name(config)]
        assert run(["validate", "--strict", name(config.parent)]) == 1


# Rules whose examples cannot sensibly live in git; the test below makes them in tmp_path.
GENERATED = {
    "E001",  # unreadable: a FIFO or a broken symlink (permissions do not stop root)
    "E004",  # too large: a file of 1 MiB + 1 byte
    "E007",  # outside the campaign: a link to a file elsewhere
    "E008",  # a bug in checklist: no file should cause it (tests/rules/test_wrong_types.py)
}


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _broken_symlink(path: Path) -> None:
    path.symlink_to(path.with_name("missing.toml"))


def _no_permission(path: Path) -> None:
    path.write_text("[unit]\n", encoding="utf-8")
    path.chmod(0)


def _link_outside(path: Path) -> None:
    path.symlink_to("/proc/self/environ" if Path("/proc/self/environ").exists() else "/etc/hosts")


def _empty(path: Path) -> None:
    # E003 also has an example file, but that holds comments; a truly empty file cannot
    # carry an `# expect:` line, so it is made here.
    path.write_bytes(b"")


def _too_large(path: Path) -> None:
    path.write_bytes(b"#" * (MAX_BYTES + 1))


@pytest.mark.parametrize(
    ("code", "make"),
    [
        pytest.param(
            "E001",
            _fifo,
            id="E001-fifo",
            marks=pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here"),
        ),
        pytest.param("E001", _broken_symlink, id="E001-broken-symlink"),
        pytest.param(
            "E001",
            _no_permission,
            id="E001-no-permission",
            marks=pytest.mark.skipif(
                not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads anything"
            ),
        ),
        pytest.param("E003", _empty, id="E003-truly-empty"),
        pytest.param("E007", _link_outside, id="E007-link-outside"),
        pytest.param("E004", _too_large, id="E004-too-large"),
    ],
)
def test_generated_file(code: str, make: Callable[[Path], None], tmp_path: Path) -> None:
    path = tmp_path / "x.toml"
    make(path)
    argv = ["validate", "--format", "json", "--config", "examples/invalid/campaign.toml", str(path)]
    if code != "E007":  # tmp_path is outside the campaign folder
        argv.append("--follow-outside")
    # A child process with a timeout: opening a FIFO may block, and must not hang the tests.
    done = subprocess.run(
        [sys.executable, "-m", "checklist", *argv],
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    problems = json.loads(done.stdout)["problems"]

    assert positions(problems) == [(code, 1, 1)]
    assert problems[0]["message"]
    assert problems[0]["hint"]
    assert done.returncode == 1


def test_every_rule_has_an_example() -> None:
    shown = {code_of(p): p for p in [*UNIT_FILES, *CONFIG_FILES]}
    assert set(shown) | GENERATED == set(RULES)
    assert not set(shown) & GENERATED
    for code, path in shown.items():
        stem = (path.parent if path.name == "campaign.toml" else path).name
        assert stem.startswith(f"{code}-{RULES[code].name}"), path


def test_validating_the_folder_names_every_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["validate", "examples/invalid"]) == 1
    output = capsys.readouterr().out
    for path in UNIT_FILES:
        # The valid units of a campaign-warning folder (W410, W411) are named for nothing.
        assert (name(path) in output) == bool(expected(path)), path
