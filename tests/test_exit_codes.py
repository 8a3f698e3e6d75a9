"""Exit 2, never 3: option values out of range, outputs that cannot be written, a bad state file.

Exit 3 means a bug in checklist; no input may reach it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CAMPAIGN_TOML, VALID_UNIT, Result

EXTREME_DAYS = [
    "-99999999d",
    "+99999999d",
    "+99999999w",
    "+99999999y",
    "9999-12-31",
    "0001-01-01",
    "1899-12-31",
    "3000-01-01",
    "+" + "9" * 5000 + "d",
    "-" + "9" * 20 + "w",
    "Dec 31 9999",
    "31/12/0001",
    "x" * 10_000,
]


@pytest.fixture
def unit(write_unit: Callable[..., Path]) -> Path:
    return write_unit("erqi-test.toml", VALID_UNIT)


def _usage_error(result: Result) -> None:
    assert result.code == 2, result
    assert "Traceback" not in result.err
    assert "internal error" not in result.err


@pytest.mark.parametrize("day", EXTREME_DAYS)
@pytest.mark.parametrize(
    "command",
    [
        ("validate",),
        ("status",),
        ("rollup",),
        ("remind",),
        ("done", "erqi-test", "study", "1", "--dry-run", "--on"),
        ("postpone", "erqi-test", "research", "--reason", "x", "--dry-run", "--to"),
    ],
    ids=lambda c: c[0],
)
def test_days_beyond_the_calendar_are_usage_errors(
    cli, unit: Path, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...], day: str
) -> None:
    monkeypatch.chdir(unit.parent)
    if command[0] in ("done", "postpone"):
        result = cli(*command, day)
    else:
        result = cli(*command, "--as-of", day)
    _usage_error(result)
    assert "2023-11-20" in result.err or "1900-01-01 to 2999-12-31" in result.err


@pytest.mark.parametrize("day", ["9999-12-31", "-99999999d", "0001-01-01"])
def test_the_environment_day_is_checked_too(
    cli, unit: Path, monkeypatch: pytest.MonkeyPatch, day: str
) -> None:
    monkeypatch.setenv("CHECKLIST_AS_OF", day)
    _usage_error(cli("status", unit.parent))


def test_the_edges_of_the_range_work(cli, unit: Path) -> None:
    for day in ("1900-01-01", "2999-12-31"):
        assert cli("status", unit.parent, "--as-of", day, "--soon", "36500").code == 0


@pytest.mark.parametrize("soon", ["3000000", "-1", "36501", "99999999999999999999"])
@pytest.mark.parametrize("command", ["status", "rollup"])
def test_soon_out_of_range_is_a_usage_error(cli, unit: Path, command: str, soon: str) -> None:
    result = cli(command, unit.parent, "--soon", soon)
    _usage_error(result)
    assert "--soon" in result.err


def test_advance_days_out_of_range_is_a_config_error(
    cli, campaign_dir: Callable[..., Path], write_unit: Callable[..., Path]
) -> None:
    folder = campaign_dir(CAMPAIGN_TOML + "\n[remind]\nadvance_days = [7, 3000000]\n")
    write_unit("erqi-test.toml", VALID_UNIT)
    result = cli("remind", folder)
    _usage_error(result)
    assert "advance_days holds 3000000" in result.err


_DAY_TEXT = st.one_of(
    st.text(max_size=30),
    st.from_regex(r"\A[+-]?[0-9]{1,25}[dwymDWY]?\Z"),
    st.builds(
        "{:04d}-{:02d}-{:02d}".format,
        st.integers(0, 9999),
        st.integers(0, 13),
        st.integers(0, 32),
    ),
    st.sampled_from(["today", "yesterday", "tomorrow", "今天", "Nov 20 2023", "2023/11/20"]),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(day=_DAY_TEXT, soon=st.one_of(st.integers(), st.text(max_size=8)))
def test_any_day_or_soon_exits_0_to_2_without_a_traceback(
    cli, unit: Path, monkeypatch: pytest.MonkeyPatch, day: str, soon: int | str
) -> None:
    monkeypatch.chdir(unit.parent)
    if "\0" in day:  # no command line can hold a NUL
        return
    for args in (
        ("status", "--as-of", day, "--soon", str(soon)),
        ("rollup", "--as-of", day),
        ("remind", "--as-of", day),
        ("done", "erqi-test", "study", "1", "--dry-run", "--on", day),
    ):
        result = cli(*args)
        assert result.code in (0, 1, 2), (args, result)
        assert "Traceback" not in result.err
        assert "internal error" not in result.err


# --- outputs that cannot be written -------------------------------------------------


@pytest.mark.parametrize("output", ["/dev/full", "missing-folder/report.txt", "a-folder"])
@pytest.mark.parametrize("output_format", ["text", "json", "github"])
def test_validate_output_that_cannot_be_written(
    cli, unit: Path, tmp_path: Path, output: str, output_format: str
) -> None:
    if output == "/dev/full" and not Path(output).exists():
        pytest.skip("no /dev/full here")
    (tmp_path / "a-folder").mkdir()
    (unit.parent / "broken.toml").write_text("[unit]\n", encoding="utf-8")  # something to say
    target = output if output.startswith("/") else str(tmp_path / output)
    result = cli("validate", unit.parent, "-f", output_format, "-o", target)
    _usage_error(result)
    assert target in result.err


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
@pytest.mark.parametrize(
    "command", [("status", "--all"), ("rollup",), ("validate",), ("remind",), ("schema",)]
)
def test_a_full_disk_on_stdout_is_a_usage_error(unit: Path, command: tuple[str, ...]) -> None:
    env = {**os.environ, "CHECKLIST_AS_OF": "2023-11-01"}
    with Path("/dev/full").open("w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "checklist", *command],
            cwd=unit.parent,
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines()[-1] == "checklist: error: No space left on device"


# --- a state file of the right version and the wrong shape ---------------------------

_MESSAGE = {
    "key": "2023-11-20/owner/x",
    "subject": "s",
    "body": "b",
    "recipient": {"name": "n", "address": None, "unit": "u"},
    "cc": [],
}


@pytest.mark.parametrize(
    "state",
    [
        {"version": 1, "delivered": []},
        {"version": 1, "delivered": "x"},
        {"version": 1, "delivered": {"k": 3}},
        {"version": 1, "pending": [1, 2]},
        {"version": 1, "pending": {"k": 3}},
        {"version": 1, "pending": {"k": {"channel": "webhook"}}},
        {"version": 1, "pending": {"k": {"channel": "webhook", "message": {"key": 1}}}},
        {"version": 1, "pending": {"k": {"channel": 7, "message": _MESSAGE}}},
        {"version": 1, "pending": {"k": {"channel": "webhook", "message": {**_MESSAGE, "cc": 1}}}},
        {
            "version": 1,
            "pending": {
                "k": {"channel": "webhook", "message": {**_MESSAGE, "recipient": {"name": 1}}}
            },
        },
        "[" * 100_000,
    ],
)
def test_a_state_file_of_the_wrong_shape_is_a_usage_error(
    cli, campaign_dir: Callable[..., Path], write_unit: Callable[..., Path], state: object
) -> None:
    webhook = '\n[webhook]\nurl = "http://127.0.0.1:9/"\ntimeout = 1\n'
    folder = campaign_dir(CAMPAIGN_TOML + webhook)
    write_unit("erqi-test.toml", VALID_UNIT)
    path = folder / ".checklist" / "remind-state.json"
    path.parent.mkdir()
    path.write_text(state if isinstance(state, str) else json.dumps(state), encoding="utf-8")
    result = cli("remind", folder, "--send", "--as-of", "2023-11-01")
    _usage_error(result)
    assert "reminder state" in result.err
    assert "move it away" in result.err
