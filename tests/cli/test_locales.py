"""Every output under every locale, a reader that closes its pipe, bad choices, help at 80.

Real processes in real environments: a GBK, Latin-1 or ASCII output encoding set by a
real locale (generated with localedef when the system has none) or by PYTHONIOENCODING.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import unicodedata
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

import pytest

from checklist.cli.app import app
from checklist.cli.options import ReportFormat, ValidateFormat
from conftest import CAMPAIGN_TOML, VALID_UNIT, Result

EXIT_PIPE = 141

# ✅ is in neither GBK nor Latin-1; 𠮷 (U+20BB7) is outside the BMP and GBK.
STRANGE_UNIT = (
    VALID_UNIT.replace(
        'name = "中共郑州市二七区测试委员会"', 'name = "中共郑州市二七区测试委员会 𠮷"'
    )
    .replace('title = "读书班结业"', 'title = "读书班结业 ✅ café"')
    .replace('owner = "刘洋"', 'owner = "𠮷"')
)
BROKEN_UNIT = VALID_UNIT.replace('id = "erqi-test"', 'id = "erqi-broken"\n"✅𠮷" = 1')


class Run(NamedTuple):
    code: int
    out: bytes
    err: bytes


def _env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("LC_", "LANG", "PYTHONIOENCODING", "PYTHONUTF8", "COLUMNS"))
        # Unbuffered, a write cut short by the closed pipe is dropped, never an error.
        and k != "PYTHONUNBUFFERED"
    }
    env.update(extra)
    return env


def _run(argv: list[str], env: dict[str, str], cwd: Path) -> Run:
    done = subprocess.run(
        [sys.executable, "-m", "checklist", *argv],
        env=env,
        cwd=cwd,
        capture_output=True,
        timeout=120,
        check=False,
    )
    return Run(done.returncode, done.stdout, done.stderr)


@pytest.fixture(scope="module")
def locales(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    """Environments of real locales: the system's, else generated with localedef."""
    wanted = {"zh_CN.GBK": ("zh_CN", "GBK"), "en_US.ISO-8859-1": ("en_US", "ISO-8859-1")}
    found: dict[str, dict[str, str]] = {}
    listed = subprocess.run(["locale", "-a"], capture_output=True, text=True, check=False).stdout
    folder = tmp_path_factory.mktemp("locales")
    for name, (source, charmap) in wanted.items():
        if name.lower().replace("-", "") in listed.lower().replace("-", ""):
            found[name] = {"LANG": name}
        elif shutil.which("localedef"):
            made = subprocess.run(
                ["localedef", "-i", source, "-f", charmap, str(folder / name)],
                capture_output=True,
                check=False,
            )
            if (folder / name).exists() and made.returncode in (0, 1):
                found[name] = {"LANG": name, "LOCPATH": str(folder)}
    return found


# name → (extra environment, the encoding Python then writes, or None for a real locale)
ENCODINGS = {
    "PYTHONIOENCODING=gbk": ({"LANG": "C.UTF-8", "PYTHONIOENCODING": "gbk"}, "gbk"),
    "PYTHONIOENCODING=latin-1": ({"LANG": "C.UTF-8", "PYTHONIOENCODING": "latin-1"}, "latin-1"),
    "PYTHONIOENCODING=ascii": ({"LANG": "C.UTF-8", "PYTHONIOENCODING": "ascii"}, "ascii"),
    "LC_ALL=C": ({"LC_ALL": "C"}, None),
    "LANG=zh_CN.GBK": ({}, None),
    "LANG=en_US.ISO-8859-1": ({}, None),
}

COMMANDS: list[list[str]] = [
    *(["validate", "--format", str(f)] for f in ValidateFormat),
    *(["status", "--all", "--format", str(f)] for f in ReportFormat if f != "xlsx"),
    *(["rollup", "--format", str(f)] for f in ReportFormat if f != "xlsx"),  # xlsx: -o only
    ["rollup", "--by", "owner"],
    ["remind"],
    ["remind", "--format", "json"],
    ["schema"],
    ["--help"],
    *([name, "--help"] for name in ("validate", "status", "rollup", "remind", "new", "postpone")),
]


@pytest.fixture(scope="module")
def strange(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A campaign whose names, titles, keys and one file name hold ✅ and 𠮷."""
    folder = tmp_path_factory.mktemp("strange")
    (folder / "campaign.toml").write_text(
        CAMPAIGN_TOML.replace('name = "测试主题教育"', 'name = "测试主题教育 ✅"'), encoding="utf-8"
    )
    units = folder / "units" / "410103"
    units.mkdir(parents=True)
    (units / "erqi.toml").write_text(STRANGE_UNIT, encoding="utf-8")
    (units / "坏✅𠮷.toml").write_text(BROKEN_UNIT, encoding="utf-8")
    return folder


DAY = {"CHECKLIST_AS_OF": "2023-12-24"}  # 𠮷 is reminded of a task due in 7 days


@pytest.fixture(scope="module")
def utf8(strange: Path) -> list[Run]:
    """Each command's run under a UTF-8 locale: what every other locale must match."""
    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(lambda a: _run(a, _env(LANG="C.UTF-8", **DAY), strange), COMMANDS))


@pytest.mark.parametrize("name", list(ENCODINGS))
def test_every_command_prints_any_character_with_the_utf8_exit_code(
    name: str, strange: Path, utf8: list[Run], locales: dict[str, dict[str, str]]
) -> None:
    extra, encoding = ENCODINGS[name]
    if not extra:
        locale = name.removeprefix("LANG=")
        if locale not in locales:
            pytest.skip(f"{locale} is not installed and localedef cannot make it")
        extra = locales[locale]
    with ThreadPoolExecutor(8) as pool:
        runs = list(pool.map(lambda a: _run(a, _env(**extra, **DAY), strange), COMMANDS))

    assert [r.code for r in utf8].count(1) >= len(ValidateFormat)  # the broken file counts
    for argv, want, got in zip(COMMANDS, utf8, runs, strict=True):
        where = f"{name}: checklist {' '.join(argv)}: {got.err[-600:]!r}"
        assert want.code in (0, 1), where
        assert got.code == want.code, where
        assert b"Traceback" not in got.err, where
        assert b"Error" not in got.err.replace(b"error:", b""), where
        assert bool(got.out) == bool(want.out), where
        if encoding is not None:
            # JSON stays valid and loses nothing: a missing character is its JSON escape.
            # click's echo (help, schema) takes ASCII for a misconfigured UTF-8 stream.
            ascii_as_utf8 = encoding == "ascii" and not got.out.isascii()
            text = got.out.decode("utf-8" if ascii_as_utf8 else encoding)
            if "json" in argv or argv == ["schema"]:
                assert json.loads(text) == json.loads(want.out.decode("utf-8")), where
            elif encoding != "gbk":
                assert "\\u2705" in text or "✅" not in want.out.decode(), where
    if encoding == "gbk":
        status = runs[COMMANDS.index(["status", "--all", "--format", "table"])]
        assert "读书班结业 \\u2705 café" in status.out.decode("gbk")
        assert "  \\ud842\\udfb7  " in status.out.decode("gbk")  # the owner 𠮷


def _big_campaign(folder: Path, units: int, unit: str = VALID_UNIT) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "campaign.toml").write_text(CAMPAIGN_TOML, encoding="utf-8")
    (folder / "units" / "410103").mkdir(parents=True)
    for n in range(units):
        text = unit.replace('id = "erqi-test"', f'id = "erqi-t{n}"')
        (folder / "units" / "410103" / f"u{n}.toml").write_text(text, encoding="utf-8")
    return folder


def _head_1(argv: list[str], cwd: Path) -> Run:
    """Run checklist into a pipe whose reader takes one line and closes it, like head -n1."""
    process = subprocess.Popen(
        [sys.executable, "-m", "checklist", *argv],
        cwd=cwd,
        env=_env(LANG="C.UTF-8"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    assert process.stderr is not None
    first = process.stdout.readline()
    process.stdout.close()
    err = process.stderr.read()
    return Run(process.wait(timeout=120), first, err)


PIPED: list[list[str]] = [
    ["status", "--all"],
    ["status", "--all", "--format", "json"],
    ["rollup", "--by", "unit", "--format", "json"],
    ["remind", "--as-of", "2023-12-24"],
    ["validate", "--format", "json", "--strict"],
    ["schema"],
    ["--help"],
    ["--version"],
]


def test_a_reader_that_closes_the_pipe_ends_every_command_quietly(tmp_path: Path) -> None:
    """Output far beyond a pipe's buffer: the closed pipe is met for certain, exit 141."""
    folder = _big_campaign(tmp_path / "good", 400)
    subprocess.run(
        [sys.executable, "-m", "checklist", "validate"],
        cwd=folder,
        capture_output=True,
        check=False,
    )  # a warm cache keeps the runs short
    broken = _big_campaign(
        tmp_path / "broken", 400, VALID_UNIT.replace("[people]", "bad = 1\n[people]")
    )
    for argv, cwd in [*((a, folder) for a in PIPED[:4]), (PIPED[4], broken)]:
        result = _head_1(argv, cwd)
        assert result.out, argv
        assert result.err == b"", (argv, result.err[-400:])
        assert result.code == EXIT_PIPE, (argv, result.code)


@pytest.mark.parametrize("argv", PIPED, ids=" ".join)
def test_a_closed_pipe_is_never_a_message_whenever_it_closes(
    argv: list[str], campaign_dir: Callable[..., Path], write_unit: Callable[..., Path]
) -> None:
    """Short output races the reader: exit 0/1 as usual, or 141; stderr empty either way."""
    write_unit("erqi.toml", STRANGE_UNIT)
    folder = campaign_dir()
    usual = _run(argv, _env(LANG="C.UTF-8"), folder).code
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: _head_1(argv, folder), range(24)))
    for result in results:
        assert result.err == b"", result.err[-400:]
        assert result.code in (usual, EXIT_PIPE)


# --- choices ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["validate", "--format", "jsn"], "--format: no such value 'jsn'; did you mean \"json\"?"),
        (["status", "-f", "JSON"], "--format: no such value 'JSON'; did you mean \"json\"?"),
        (["status", "--format", "xml"], "--format: no such value 'xml' (known: table, json, "),
        (["rollup", "--by", "countyy"], "--by: no such value 'countyy'; did you mean \"county\"?"),
        (["rollup", "--sort", "overdu"], 'did you mean "overdue"? (known: overdue, completion'),
        (["rollup", "--format", "markdwn"], 'did you mean "markdown"?'),
        (["remind", "--format", "txt"], "--format: no such value 'txt'; did you mean \"text\"?"),
        (["status", "--lang", "zn"], "--lang: no such value 'zn'"),
        (["init", "--preset", "zhengzou"], 'did you mean "zhengzhou"? (known: zhengzhou)'),
        (
            ["new", "--county", "二七区", "--name", "x", "--level", "grassroot"],
            "--level: no such value 'grassroot'; did you mean \"grassroots\"?",
        ),
    ],
)
def test_a_bad_choice_says_what_is_allowed_and_exits_2(
    argv: list[str],
    says: str,
    cli: Callable[..., Result],
    campaign_dir: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(campaign_dir())
    result = cli(*argv)

    assert result.code == 2
    assert says in result.err
    assert result.err.startswith("checklist: error: ")
    assert "Value error" not in result.err
    assert result.out == ""


def test_every_choice_option_is_checked(cli: Callable[..., Result]) -> None:
    """Each Enum option of every command refuses a near miss with a did-you-mean."""
    import inspect
    import typing

    import typer

    from checklist.cli.usage import _enum_in

    seen = 0
    group = typer.main.get_command(app)
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        hints = typing.get_type_hints(inspect.unwrap(command.callback), include_extras=True)
        for param in command.params:
            choices = _enum_in(hints.get(param.name))
            if choices is None:
                continue
            first = str(next(iter(choices)).value)
            result = cli(name, param.opts[0], first + "x")
            assert result.code == 2, (name, param.opts, result.err)
            assert f'did you mean "{first}"?' in result.err, result.err
            seen += 1
    assert seen >= 9


# --- help at 80 columns -------------------------------------------------------------------


def _cells(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def test_every_help_example_is_whole_at_80_columns(tmp_path: Path) -> None:
    """The example lines of each docstring appear unbroken and fit 80 terminal cells."""
    import inspect

    for command in app.registered_commands:
        callback = command.callback
        assert callback is not None
        doc = inspect.getdoc(callback) or ""
        block = doc[doc.index("Example:") :].split("\n\n")[0]
        lines = [line for line in block.splitlines() if line.strip()]
        name = command.name or callback.__name__
        result = _run([name, "--help"], _env(LANG="C.UTF-8", COLUMNS="80"), tmp_path)
        shown = result.out.decode("utf-8").splitlines()
        assert result.code == 0
        for line in lines:
            assert "  " + line in shown, (name, line, result.out.decode())
            assert _cells("  " + line) <= 80, (name, line)


def test_the_command_list_shows_every_summary_whole_at_80_columns(tmp_path: Path) -> None:
    """`checklist --help` cuts a summary that does not fit with "..."; none should need it."""
    result = _run(["--help"], _env(LANG="C.UTF-8", COLUMNS="80"), tmp_path)
    shown = result.out.decode("utf-8").split("Commands:")[1].splitlines()
    listed = [line for line in shown if line.strip()]
    assert len(listed) == len(app.registered_commands)
    assert not [line for line in listed if line.endswith("...")]
    assert max(_cells(line) for line in listed) <= 80
