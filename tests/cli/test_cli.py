"""The command line's contract, as a user sees it: exit codes, messages, formats."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import tomllib
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from checklist.cli.app import app
from checklist.render.problems import write_github
from conftest import CAMPAIGN_TOML, REPO, VALID_UNIT

EXAMPLE = REPO / "examples" / "zhengzhou"
EXAMPLE_UNITS = sorted((EXAMPLE / "units").rglob("*.toml"))
JSON_KEYS = {
    "file",
    "line",
    "column",
    "end_line",
    "end_column",
    "severity",
    "code",
    "rule",
    "message",
    "hint",
}
SUMMARY = re.compile(
    r"^Found (\d+) errors? and (\d+) warnings? in (\d+) files? \(checked (\d+)\)\.$"
)


def _command_names() -> list[str]:
    return [
        c.name or c.callback.__name__.lower().replace("_", "-") for c in app.registered_commands
    ]


def _unit(**replace: str) -> str:
    """VALID_UNIT with some lines replaced: key is the old line, value the new."""
    text = VALID_UNIT
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def _last_line(text: str) -> str:
    return text.rstrip("\n").splitlines()[-1]


def _blocks(out: str, code: str) -> list[list[str]]:
    """The text-format blocks (header, -->, source, carets, help) of problems with ``code``."""
    blocks = [b.splitlines() for b in out.split("\n\n")]
    return [b for b in blocks if b and re.match(rf"^(error|warning)\[{code}\] ", b[0])]


def _cells(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


# --- version and help -----------------------------------------------------------------


def test_version_via_run(cli):
    result = cli("--version")
    assert result.code == 0
    assert re.fullmatch(r"checklist \d+\.\d+\.\d+\n", result.out)


def test_version_via_python_m():
    done = subprocess.run(
        [sys.executable, "-m", "checklist", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(r"checklist \d+\.\d+\.\d+\n", done.stdout)


def test_app_has_commands():
    assert {"validate", "schema"} <= set(_command_names())


@pytest.mark.parametrize("command", [None, *_command_names()])
def test_help_exits_0_and_shows_an_example(cli, command):
    result = cli(*([command] if command else []), "--help")
    assert result.code == 0, result.err
    assert re.search(r"^\s*Example:", result.out, re.MULTILINE), result.out


# --- exit codes -----------------------------------------------------------------------


def test_valid_example_exits_0(cli):
    result = cli("validate", EXAMPLE)
    assert result.code == 0, result.out + result.err
    assert _last_line(result.out) == f"All good: {len(EXAMPLE_UNITS)} files checked, no problems."


def test_valid_unit_has_no_problems(cli, write_unit):
    path = write_unit("valid.toml", VALID_UNIT)
    result = cli("validate", path)
    assert result.code == 0, result.out
    assert result.out == "All good: 1 file checked, no problems.\n"


def test_warnings_exit_0_but_1_with_strict(cli, write_unit):
    # Two tasks of one measure with the same title: W401, a warning.
    path = write_unit(
        "warn.toml", _unit(**{'title = "读书班结业"': 'title = "理论学习中心组专题学习"'})
    )
    result = cli("validate", path)
    assert result.code == 0, result.out
    assert "warning[W401]" in result.out
    assert _last_line(result.out) == "Found 0 errors and 1 warning in 1 file (checked 1)."
    assert cli("validate", "--strict", path).code == 1


def test_errors_exit_1(cli, write_unit):
    path = write_unit("bad.toml", _unit(**{'owner = "张伟"': 'ownr = "张伟"'}))
    result = cli("validate", path)
    assert result.code == 1
    assert "error[E101]" in result.out


def test_no_campaign_found_exits_2(cli, tmp_path):
    folder = tmp_path / "lonely"
    folder.mkdir()
    (folder / "unit.toml").write_text(VALID_UNIT, encoding="utf-8")
    if any((p / "campaign.toml").exists() for p in folder.parents):
        pytest.skip("a campaign.toml exists above the temporary folder")
    result = cli("validate", folder)
    assert result.code == 2
    assert "no campaign.toml found" in result.err
    assert "--config" in result.err
    assert "Traceback" not in result.err


@pytest.mark.parametrize(
    ("broken", "line", "column", "code"),
    [
        pytest.param(
            CAMPAIGN_TOML.replace("start = 2023-09-09", 'start = "2023-09-09"'),
            3,
            9,
            "E104",
            id="quoted-date",
        ),
        pytest.param(CAMPAIGN_TOML.replace("[campaign]", "[campaign"), 1, 10, "E005", id="syntax"),
    ],
)
def test_broken_campaign_exits_2_with_located_problem(
    cli, campaign_dir, write_unit, broken, line, column, code
):
    folder = campaign_dir(broken)
    write_unit("valid.toml", VALID_UNIT)
    config = folder / "campaign.toml"
    result = cli("validate", folder)
    assert result.code == 2
    assert f"error[{code}]" in result.err
    assert f"{config}:{line}:{column}" in result.err
    assert result.out == ""


def test_missing_path_exits_2(cli, campaign_dir):
    folder = campaign_dir()
    result = cli("validate", folder / "units" / "nope.toml")
    assert result.code == 2
    assert "nope.toml" in result.err
    assert "no such file" in result.err


def test_folder_without_unit_files_exits_2(cli, campaign_dir):
    empty = campaign_dir() / "empty"
    empty.mkdir()
    result = cli("validate", empty)
    assert result.code == 2
    assert "no unit files" in result.err


def test_unknown_format_exits_2(cli, write_unit):
    path = write_unit("valid.toml", VALID_UNIT)
    result = cli("validate", "--format", "xml", path)
    assert result.code == 2
    assert "xml" in result.err


def test_unreadable_as_of_exits_2(cli, write_unit):
    path = write_unit("valid.toml", VALID_UNIT)
    result = cli("validate", "--as-of", "notaday", path)
    assert result.code == 2
    assert "notaday" in result.err


def test_as_of_changes_the_judgement(cli, write_unit):
    # done = 2023-09-28 lies in the future if today is 2023-09-20.
    path = write_unit("valid.toml", VALID_UNIT)
    result = cli("validate", "--as-of", "2023-09-20", path)
    assert result.code == 1
    assert "error[E207]" in result.out


def test_config_overrides_the_search(cli, tmp_path, campaign_dir):
    config = campaign_dir() / "campaign.toml"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # A broken campaign.toml next to the unit would be found first without --config.
    (elsewhere / "campaign.toml").write_text("[campaign\n", encoding="utf-8")
    (elsewhere / "unit.toml").write_text(VALID_UNIT, encoding="utf-8")
    assert cli("validate", elsewhere / "unit.toml").code == 2
    # The unit is outside the campaign folder: read only when that is asked for.
    refused = cli("validate", "--config", config, elsewhere / "unit.toml")
    assert refused.code == 1
    assert "E007" in refused.out
    result = cli("validate", "--config", config, "--follow-outside", elsewhere / "unit.toml")
    assert result.code == 0, result.out + result.err
    assert "All good: 1 file checked" in result.out


# --- the text format ------------------------------------------------------------------


def test_text_problem_block(cli, write_unit, monkeypatch):
    folder = write_unit("bad.toml", _unit(**{'owner = "张伟"': 'ownr = "张伟"'})).parents[2]
    monkeypatch.chdir(folder)
    result = cli("validate", "units/410103/bad.toml")
    [block] = _blocks(result.out, "E101")
    assert block[0] == 'error[E101] unknown-key: unknown key "ownr" in [study]'
    assert re.fullmatch(r"\s+--> units/410103/bad\.toml:14:1", block[1])
    assert block[3] == '14 | ownr = "张伟"'
    assert block[4] == "   | ^^^^"
    assert any("help:" in line and "owner" in line for line in block[5:])


@pytest.mark.parametrize(
    ("replace", "code", "bad"),
    [
        pytest.param({'owner = "张伟"': 'ownr = "张伟"'}, "E101", "ownr", id="key"),
        pytest.param({'county = "410103"': 'county = "41013"'}, "E201", '"41013"', id="value"),
        pytest.param(
            {
                'id = "erqi-test"\nname = "中共郑州市二七区测试委员会"\ncounty = "410103"\n'
                'level = "grassroots"\ncontact = "王红"': "",
                "[unit]": 'unit = { id = "erqi-test", name = "二七区委", county = "410103", '
                'level = "bad", contact = "王红" }',
            },
            "E202",
            '"bad"',
            id="cjk-before-value",
        ),
        pytest.param(
            {
                'id = "erqi-test"\nname = "中共郑州市二七区测试委员会"\ncounty = "410103"\n'
                'level = "grassroots"\ncontact = "王红"': "",
                "[unit]": 'unit = { name = "二七区委", lvel = "county", county = "410103", '
                'level = "county", contact = "王红" }',
            },
            "E101",
            "lvel",
            id="cjk-before-key",
        ),
        pytest.param(
            {"due = 2023-11-30": 'due = 2023-11-30\nnote = "调研"; more = 1'},
            "E005",
            ";",
            id="cjk-before-syntax-error",
        ),
        pytest.param(
            {
                'id = "erqi-test"\nname = "中共郑州市二七区测试委员会"\ncounty = "410103"\n'
                'level = "grassroots"\ncontact = "王红"': "",
                "[unit]": 'unit = { name = "二七区委", 县 = "410103", county = "410103", '
                'level = "county", contact = "王红" }',
            },
            "E005",
            "县",
            id="wide-bad-character",
        ),
    ],
)
def test_carets_sit_under_the_bad_part(cli, write_unit, replace, code, bad):
    text = _unit(**replace)
    path = write_unit("bad.toml", text)
    result = cli("validate", path)
    assert result.code == 1
    [block] = _blocks(result.out, code)
    source_row = next(line for line in block if re.match(r"^\d+ \| ", line))
    number, source = source_row.split(" | ", 1)
    assert source == text.splitlines()[int(number) - 1]
    caret_row = block[block.index(source_row) + 1]
    carets = caret_row.split(" | ", 1)[1]
    prefix = source[: source.index(bad)]
    # Each wide (CJK) character before the bad part takes two columns.
    assert len(carets) - len(carets.lstrip(" ")) == _cells(prefix)
    assert _cells(prefix) == len(prefix) + sum(
        unicodedata.east_asian_width(c) in "WF" for c in prefix
    )
    assert carets.strip(" ") == "^" * _cells(bad)


def test_summary_counts_errors_warnings_and_files(cli, write_unit):
    write_unit("a.toml", _unit(**{'owner = "张伟"': 'ownr = "张伟"', "erqi-test": "a"}))
    write_unit(
        "b.toml",
        _unit(
            **{
                'county = "410103"': 'county = "41013"',
                'title = "读书班结业"': 'title = "理论学习中心组专题学习"',
                "erqi-test": "b",
            }
        ),
    )
    folder = write_unit("c.toml", _unit(**{"erqi-test": "c"})).parent
    result = cli("validate", folder)
    assert result.code == 1
    assert _last_line(result.out) == "Found 2 errors and 1 warning in 2 files (checked 3)."


def test_plain_output_when_not_a_tty(cli, write_unit):
    path = write_unit("bad.toml", _unit(**{'owner = "张伟"': 'ownr = "张伟"'}))
    result = cli("validate", path)
    assert "error[E101]" in result.out
    assert "\x1b" not in result.out + result.err
    done = subprocess.run(
        [sys.executable, "-m", "checklist", "validate", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert "error[E101]" in done.stdout
    assert "\x1b" not in done.stdout + done.stderr


def _run_in_tty(args: list[str], env: dict[str, str]) -> str:
    import pty

    master, slave = pty.openpty()
    with subprocess.Popen(
        args, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave, env=env
    ) as process:
        os.close(slave)
        chunks = []
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        process.wait(timeout=60)
    os.close(master)
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
@pytest.mark.parametrize("no_color", [False, True], ids=["colour", "NO_COLOR"])
def test_terminal_colour_and_no_color(write_unit, no_color):
    path = write_unit("bad.toml", _unit(**{'owner = "张伟"': 'ownr = "张伟"'}))
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env["TERM"] = "xterm-256color"
    if no_color:
        env["NO_COLOR"] = "1"
    out = _run_in_tty([sys.executable, "-m", "checklist", "validate", str(path)], env)
    assert "E101" in out
    if no_color:
        assert "\x1b" not in out, f"escape sequences despite NO_COLOR: {out[:300]!r}"
    else:  # proves the terminal harness can see escapes at all
        assert "\x1b[" in out


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_file_text_never_produces_escapes_or_markup(cli, write_unit, fmt):
    escape = _unit(
        **{'title = "主题教育月报"': 'title = "主题教育月报\\u001b[31m"', "erqi-test": "esc"}
    )
    markup = _unit(
        **{
            'title = "理论学习中心组专题学习"': 'title = "[bold red]x[/]"',
            'title = "读书班结业"': 'title = "[bold red]x[/]"',
            "erqi-test": "markup",
        }
    )
    raw = _unit(**{'title = "主题教育月报"': 'title = "主题教育月报\x1b[31m"', "erqi-test": "raw"})
    write_unit("escape.toml", escape)
    write_unit("markup.toml", markup)
    folder = write_unit("raw.toml", raw).parent
    result = cli("validate", "--format", fmt, folder)
    assert result.code == 1
    assert "\x1b" not in result.out + result.err
    assert "[bold red]x[/]" in result.out  # rich markup printed literally
    assert "E204" in result.out  # the TOML-escaped ESC in escape.toml
    assert "E005" in result.out  # the raw ESC in raw.toml


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_file_names_never_produce_escapes(cli, write_unit, fmt):
    folder = write_unit("\x1b[31mred.toml", _unit(**{'owner = "张伟"': 'ownr = "张伟"'})).parent
    result = cli("validate", "--format", fmt, folder)
    assert result.code == 1
    assert "E101" in result.out
    assert "\x1b" not in result.out + result.err


# --- JSON -----------------------------------------------------------------------------


def test_json_format(cli, write_unit):
    path = write_unit("bad.toml", _unit(**{'county = "410103"': 'county = "41013"'}))
    result = cli("validate", "--format", "json", path)
    assert result.code == 1
    document = json.loads(result.out)
    assert document["schema_version"] == 1
    assert document["checked"] == 1
    assert document["errors"] == 1
    assert document["warnings"] == 0
    [problem] = document["problems"]
    assert set(problem) == JSON_KEYS
    assert problem["code"] == "E201"
    assert problem["rule"] == "unknown-county"
    assert problem["severity"] == "error"
    assert (problem["line"], problem["column"]) == (6, 10)
    assert (problem["end_line"], problem["end_column"]) == (6, 17)
    assert "二七区" in problem["hint"]
    assert "二七区" in result.out  # not \u-escaped
    assert "\\u4e8c" not in result.out.lower()


def test_json_every_problem_has_the_keys(cli, write_unit):
    write_unit("a.toml", "[unit\n")
    folder = write_unit("b.toml", _unit(**{'owner = "张伟"': 'ownr = "张伟"'})).parent
    document = json.loads(cli("validate", "-f", "json", folder).out)
    assert len(document["problems"]) >= 2
    for problem in document["problems"]:
        assert set(problem) == JSON_KEYS


# --- GitHub ---------------------------------------------------------------------------

GITHUB_LINE = re.compile(
    r"^::(error|warning) file=(?P<file>[^,]*),line=(?P<line>\d+),col=(?P<col>\d+)"
    r"(,endLine=\d+,endColumn=\d+)?,title=(?P<title>[^:]*)::(?P<message>.*)$"
)


def test_github_format(cli, write_unit, monkeypatch):
    folder = write_unit("bad.toml", _unit(**{'owner = "张伟"': 'ownr = "张伟"'})).parents[2]
    monkeypatch.chdir(folder)
    result = cli("validate", "--format", "github", "units")
    assert result.code == 1
    lines = result.out.splitlines()
    assert len(lines) == 1
    found = GITHUB_LINE.match(lines[0])
    assert found, lines[0]
    assert found["file"] == "units/410103/bad.toml"
    assert (found["line"], found["col"]) == ("14", "1")
    assert found["title"] == "E101 unknown-key"
    assert found["message"].startswith('unknown key "ownr" in [study]')


def test_github_is_the_default_on_github_actions(cli, write_unit, monkeypatch):
    path = write_unit("bad.toml", _unit(**{'owner = "张伟"': 'ownr = "张伟"'}))
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = cli("validate", path)
    assert result.code == 1
    assert result.out.startswith("::error file=")
    assert "-->" not in result.out


def test_github_escapes_messages_and_properties(cli, write_unit, monkeypatch):
    # Two units with one id: each message names the other file, odd characters and all.
    write_unit("a.toml", VALID_UNIT)
    folder = write_unit("b%\r\n,:.toml", VALID_UNIT).parents[2]
    monkeypatch.chdir(folder)
    result = cli("validate", "--format", "github", "units")
    assert result.code == 1
    lines = result.out.splitlines()
    assert len(lines) == 2, lines  # no raw line break from the file name
    assert all(line.startswith("::error ") for line in lines)
    by_file = {GITHUB_LINE.match(line)["file"]: line for line in lines}
    assert set(by_file) == {"units/410103/a.toml", "units/410103/b%25%0D%0A%2C%3A.toml"}
    assert "units/410103/b%25%0D%0A,:.toml" in by_file["units/410103/a.toml"].split("::", 2)[2]


def test_github_escape_function():
    from checklist.model import Problem, Severity

    problem = Problem(
        file="d:/a,b.toml",
        line=2,
        column=3,
        severity=Severity.ERROR,
        code="E101",
        rule="unknown-key",
        message="100% wrong\r\nsecond line",
    )

    class Out:
        text = ""

        def write(self, s: str) -> None:
            self.text += s

    out = Out()
    write_github([problem], out)  # type: ignore[arg-type]
    assert out.text == (
        "::error file=d%3A/a%2Cb.toml,line=2,col=3,title=E101 unknown-key::"
        "100%25 wrong%0D%0Asecond line\n"
    )


def test_github_paths_relative_to_workspace(cli, write_unit, monkeypatch):
    path = write_unit("bad.toml", _unit(**{'owner = "张伟"': 'ownr = "张伟"'}))
    monkeypatch.setenv("GITHUB_WORKSPACE", str(path.parents[2]))
    result = cli("validate", "--format", "github", path)
    found = GITHUB_LINE.match(result.out.splitlines()[0])
    assert found
    assert found["file"] == "units/410103/bad.toml"


# --- output file, every file reported -------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_output_file(cli, write_unit, tmp_path, fmt):
    path = write_unit("bad.toml", _unit(**{'owner = "张伟"': 'ownr = "张伟"'}))
    report = tmp_path / "report.out"
    result = cli("validate", "--format", fmt, "--output-file", report, path)
    assert result.code == 1
    assert result.out == ""
    written = report.read_text(encoding="utf-8")
    assert "E101" in written
    if fmt == "json":
        assert json.loads(written)["errors"] == 1
    else:
        assert _last_line(written) == "Found 1 error and 0 warnings in 1 file (checked 1)."


def test_every_file_is_reported(cli, write_unit):
    write_unit("a-syntax.toml", _unit(**{"[research]": "[research"}))
    write_unit("b-key.toml", _unit(**{'owner = "张伟"': 'ownr = "张伟"', "erqi-test": "b"}))
    folder = write_unit("c-county.toml", _unit(**{'county = "410103"': 'county = "41013"'})).parent
    result = cli("validate", "-f", "json", folder)
    assert result.code == 1
    document = json.loads(result.out)
    found = {(Path(p["file"]).name, p["code"]) for p in document["problems"]}
    assert found == {("a-syntax.toml", "E005"), ("b-key.toml", "E101"), ("c-county.toml", "E201")}
    assert document["checked"] == 3


def test_all_problems_of_one_file_are_reported(cli, write_unit):
    path = write_unit(
        "bad.toml",
        _unit(
            **{
                'owner = "张伟"': 'ownr = "张伟"',
                'county = "410103"': 'county = "41013"',
                "done = 2023-09-28": "done = 2023-12-28",
            }
        ),
    )
    document = json.loads(cli("validate", "-f", "json", path).out)
    assert sorted(p["code"] for p in document["problems"]) == ["E101", "E201", "E207"]


# --- schema ---------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A TOML document as JSON sees it: dates and times become ISO strings."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return value


@pytest.fixture
def unit_schema(cli) -> dict[str, Any]:
    result = cli("schema", "--config", EXAMPLE / "campaign.toml")
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_schema_is_draft_07(unit_schema):
    assert unit_schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert unit_schema["type"] == "object"
    assert {"unit", "study", "institutions"} <= set(unit_schema["properties"])


def test_schema_without_campaign(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli("schema")
    assert result.code == 0, result.err
    assert json.loads(result.out)["$schema"] == "http://json-schema.org/draft-07/schema#"


def _validator(schema: dict[str, Any]) -> Any:
    jsonschema = pytest.importorskip("jsonschema")
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def test_schema_accepts_the_example_units(unit_schema):
    validator = _validator(unit_schema)
    assert EXAMPLE_UNITS
    for file in EXAMPLE_UNITS:
        document = _plain(tomllib.loads(file.read_text(encoding="utf-8")))
        errors = [e.message for e in validator.iter_errors(document)]
        assert not errors, f"{file}: {errors}"
    assert not list(validator.iter_errors(_plain(tomllib.loads(VALID_UNIT))))


def test_schema_rejects_an_unknown_key(unit_schema):
    validator = _validator(unit_schema)
    document = _plain(tomllib.loads(_unit(**{'owner = "张伟"': 'owner = "张伟"\nownr = "张伟"'})))
    errors = list(validator.iter_errors(document))
    assert errors
    assert any("ownr" in e.message for e in errors)


def test_output_file_is_replaced_whole_or_not_at_all(cli, write_unit, tmp_path, monkeypatch):
    """A crash while writing the report leaves the previous report, never half of one."""
    import checklist.atomic

    path = write_unit("bad.toml", _unit(**{'owner = "张伟"': 'ownr = "张伟"'}))
    report = tmp_path / "report.json"
    report.write_text("the previous report", encoding="utf-8")

    def full_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(checklist.atomic.os, "fsync", full_disk)
    result = cli("validate", "-f", "json", "-o", report, path)
    monkeypatch.undo()
    assert result.code == 2
    assert "No space left on device" in result.err
    assert report.read_text(encoding="utf-8") == "the previous report"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_output_file_through_a_link_or_into_a_pipe(cli, write_unit, tmp_path):
    """A link stays a link (its target gets the report); a FIFO or device is written
    into, never replaced by a rename."""
    path = write_unit("bad.toml", _unit(**{'owner = "张伟"': 'ownr = "张伟"'}))
    target = tmp_path / "real.json"
    target.write_text("old", encoding="utf-8")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    assert cli("validate", "-f", "json", "-o", link, path).code == 1
    assert link.is_symlink()
    assert json.loads(target.read_text(encoding="utf-8"))["errors"] == 1

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    import threading

    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    assert cli("validate", "-f", "json", "-o", fifo, path).code == 1
    reader.join(timeout=30)
    assert fifo.is_fifo()
    assert json.loads(received[0])["errors"] == 1
