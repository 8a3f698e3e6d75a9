"""The docs say what the code does: generated parts are current, and examples in them work."""

from __future__ import annotations

import datetime as dt
import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from checklist.load.campaign import load_campaign
from checklist.load.check import check_unit
from checklist.rules.registry import RULES

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")
FORMAT = (REPO / "docs" / "format.md").read_text(encoding="utf-8")


def _blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, re.DOTALL)


def test_generated_docs_are_up_to_date() -> None:
    result = subprocess.run(
        [sys.executable, "scripts/gen_docs.py", "--check"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_rules_doc_names_every_rule() -> None:
    rules = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    for rule in RULES.values():
        assert f"## {rule.code} {rule.name}" in rules


def test_the_unit_example_in_format_md_is_valid() -> None:
    campaign = load_campaign(REPO / "examples" / "zhengzhou" / "campaign.toml")
    units = [b for b in _blocks(FORMAT, "toml") if "[unit]" in b and "…" not in b]
    assert len(units) == 1
    result = check_unit(
        units[0].encode(),
        file="units/410103/erqi-committee.toml",
        campaign=campaign,
        today=dt.date(2023, 11, 20),
    )
    assert result.problems == ()
    assert result.unit is not None


def test_every_toml_example_in_the_docs_parses() -> None:
    for text in (README, FORMAT):
        for block in _blocks(text, "toml"):
            if "…" not in block:
                tomllib.loads(block)


def test_the_quick_start_has_exactly_two_commands_and_ci_runs_the_test_one() -> None:
    quick_start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    (block,) = _blocks(quick_start, "sh")
    commands = [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]
    assert commands == ["make demo", "make test"]
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test$", ci, re.MULTILINE)


def test_the_readme_shows_every_command() -> None:
    from checklist.cli.app import app

    for command in app.registered_commands:
        name = command.name or (command.callback.__name__ if command.callback else "")
        heading = rf"^## .*`(checklist )?{name}\b"
        assert re.search(heading, README, re.MULTILINE), f"no README heading for {name}"


def _console_examples() -> list[tuple[str, str]]:
    """README console blocks that run on the bundled example, as (command, expected output)."""
    found = []
    for block in _blocks(README, "console"):
        if "…" in block or "examples/zhengzhou" not in block:
            continue  # elided output, or a scenario (a broken copy) the README only describes
        parts = re.split(r"^\$ ", block, flags=re.MULTILINE)
        for part in parts[1:]:
            command, _, output = part.partition("\n")
            if command.startswith("checklist ") and "examples/zhengzhou" in command:
                found.append((command, output))
    return found


def test_the_readme_shows_real_output(monkeypatch: pytest.MonkeyPatch) -> None:
    examples = _console_examples()
    assert len(examples) >= 3
    monkeypatch.setenv("CHECKLIST_AS_OF", "2023-11-20")
    for name in ("LANG", "LC_ALL", "NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    # The README's reader has an English locale; its Chinese examples say --lang zh.
    monkeypatch.setenv("LC_MESSAGES", "en_US.UTF-8")
    for command, expected in examples:
        args = shlex.split(command)[1:]
        result = subprocess.run(
            [sys.executable, "-m", "checklist", *args],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.stdout == expected, command


def test_the_readme_validate_scenario_is_real_output_in_both_languages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's broken copy of the example: a typo'd key, a quoted date, a bad county;
    shown in English (an English locale) and in Chinese (no locale: the campaign's lang)."""
    import shutil

    campaign = tmp_path / "zhengzhou"
    shutil.copytree(REPO / "examples" / "zhengzhou", campaign)
    erqi = campaign / "units" / "410103" / "erqi-committee.toml"
    lines = erqi.read_text("utf-8").split("\n")
    assert (lines[18], lines[28]) == ('owner = "张伟"', "due = 2023-10-31")
    lines[18], lines[28] = 'ownr = "张伟"', 'due = "2023-10-31"'
    erqi.write_text("\n".join(lines), "utf-8")
    jinshui = campaign / "units" / "410105" / "jinshui-committee.toml"
    jinshui.write_text(jinshui.read_text("utf-8").replace('"410105"', '"41015"', 1), "utf-8")
    shown = [
        block.split("\n", 1)[1].split("$ echo", 1)[0]
        for block in _blocks(README, "console")
        if block.startswith("$ checklist validate\n")
    ]
    assert len(shown) == 2
    for environment, expected in zip(
        ({"LC_MESSAGES": "en_US.UTF-8"}, {"LANG": "C.UTF-8"}), shown, strict=True
    ):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG"))}
        result = subprocess.run(
            [sys.executable, "-m", "checklist", "validate"],
            cwd=campaign,
            env=env | environment | {"CHECKLIST_AS_OF": "2023-11-20"},
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 1
        assert result.stdout == expected
