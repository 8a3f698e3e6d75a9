"""A command is run from an app that makes only that command (cli/app._only_the_command):
what it prints, its help and its usage errors are what the whole app gives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import typer
from typer.main import get_command_name
from typer.models import CommandInfo

from checklist.cli.app import _only_the_command, app
from conftest import REPO


def _name(command: CommandInfo) -> str:
    return command.name or get_command_name(command.callback.__name__)  # type: ignore[union-attr]


NAMES = [_name(c) for c in app.registered_commands]


def _ran(
    capsys: pytest.CaptureFixture[str], which: typer.Typer, args: list[str]
) -> tuple[int, str, str]:
    capsys.readouterr()
    try:
        which(args=args, prog_name="checklist")
        code = 0
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else int(done.code is not None)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _whole(capsys: pytest.CaptureFixture[str], args: list[str]) -> tuple[int, str, str]:
    return _ran(capsys, app, args)


def _lean(capsys: pytest.CaptureFixture[str], args: list[str]) -> tuple[int, str, str]:
    lean = _only_the_command(args)
    assert lean is not app
    assert [_name(c) for c in lean.registered_commands] == [args[0]]
    return _ran(capsys, lean, args)


def test_every_command_is_reachable_by_its_name() -> None:
    assert len(NAMES) == len(set(NAMES)) >= 17
    assert {"validate", "status", "rollup", "remind", "import"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_a_commands_help_is_the_whole_apps(capsys: pytest.CaptureFixture[str], name: str) -> None:
    whole = _whole(capsys, [name, "--help"])
    assert whole[0] == 0
    assert name in whole[1]
    assert _lean(capsys, [name, "--help"]) == whole


@pytest.mark.parametrize("name", NAMES)
def test_a_usage_error_is_the_whole_apps(capsys: pytest.CaptureFixture[str], name: str) -> None:
    whole = _whole(capsys, [name, "--no-such-option"])
    assert whole[0] == 2
    assert "--no-such-option" in whole[2]
    assert _lean(capsys, [name, "--no-such-option"]) == whole


@pytest.mark.parametrize("args", [[], ["--help"], ["--version"], ["rolup"], ["-V"]])
def test_the_apps_own_options_and_unknown_names_see_every_command(args: list[str]) -> None:
    assert _only_the_command(args) is app


def test_a_run_imports_only_its_own_commands_module() -> None:
    """The other commands' modules are not imported (15 ms a run)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from checklist.cli.app import _only_the_command\n"
        "_only_the_command(['status'])\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('checklist.cli.'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(done.stdout.split())
    assert "checklist.cli.report" in loaded
    assert not loaded & {f"checklist.cli.{m}" for m in ("chart", "bulletin", "export", "ingest")}


def test_a_clean_validate_to_a_pipe_imports_no_rich(tmp_path: Path) -> None:
    """A pre-commit hook or CI step that finds nothing prints one plain line: rich (25 ms
    to import) is left out, and the line is the one rich would print."""
    import shutil
    import subprocess
    import sys

    root = tmp_path / "campaign"
    shutil.copytree(REPO / "examples" / "zhengzhou", root)
    code = (
        "import sys\n"
        "from checklist.cli.app import run\n"
        "code = run(['validate', sys.argv[1]])\n"
        "print('rich' in ' '.join(sys.modules), code, file=sys.stderr)\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE")}
    args = [sys.executable, "-c", code, str(root)]
    done = subprocess.run(args, check=False, capture_output=True, text=True, env=env)
    assert done.stderr.split()[-2:] == ["False", "0"]
    assert done.stdout.startswith("All good: ")
    assert done.stdout.endswith(" no problems.\n")
