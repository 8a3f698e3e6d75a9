"""Editors wired from the start, tested with the real tools: what `init` and `new` write
makes taplo and tombi check unit files against the schema, and `schema --check` says
when that schema is stale.

taplo and tombi install from PyPI (the `taplo` and `tombi` packages ship the binaries);
a test that needs one is skipped only when it is missing.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLE_UNITS = REPO / "examples" / "zhengzhou" / "units"
BOM = b"\xef\xbb\xbf"


def _tool(name: str) -> str | None:
    """The binary beside this Python (a venv's bin/, not always on PATH), else on PATH."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else shutil.which(name)


TAPLO, TOMBI = _tool("taplo"), _tool("tombi")
needs_taplo = pytest.mark.skipif(TAPLO is None, reason="taplo is not installed (pip install taplo)")
needs_tombi = pytest.mark.skipif(TOMBI is None, reason="tombi is not installed (pip install tombi)")


def taplo(folder: Path, *files: str) -> subprocess.CompletedProcess[str]:
    """`taplo lint` run where an editor runs it: in the campaign folder, with its config."""
    assert TAPLO
    args = files or ("units/**/*.toml",)  # taplo takes globs; a folder it does not expand
    return subprocess.run(
        [TAPLO, "lint", "--colors", "never", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def tombi(folder: Path, *files: str) -> subprocess.CompletedProcess[str]:
    assert TOMBI
    done = subprocess.run(
        [TOMBI, "lint", "--offline", *(files or ("units",))],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PATH": "/usr/bin:/bin", "HOME": str(folder), "NO_COLOR": "1"},
    )
    # Its diagnostics are coloured whatever NO_COLOR says: strip the escapes to read them.
    plain = re.sub(r"\x1b\[[0-9;]*m", "", done.stdout + done.stderr)
    return subprocess.CompletedProcess(done.args, done.returncode, plain, "")


@pytest.fixture
def campaign(tmp_path: Path, cli) -> Path:
    """`init --preset zhengzhou`, then every example unit file copied into its units/."""
    folder = tmp_path / "campaign"
    assert cli("init", folder, "--preset", "zhengzhou").code == 0
    for source in EXAMPLE_UNITS.rglob("*.toml"):
        target = folder / "units" / source.relative_to(EXAMPLE_UNITS)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source.read_bytes())
    return folder


def _variant(campaign: Path, name: str, change: tuple[str, str] | None, bom: bool = False) -> str:
    """One example unit with one mistake, as units/410103/<name>.toml."""
    text = (EXAMPLE_UNITS / "410103" / "erqi-committee.toml").read_bytes()
    if change:
        old, new = change
        assert old.encode() in text
        text = text.replace(old.encode(), new.encode(), 1)
    path = campaign / "units" / "410103" / f"{name}.toml"
    path.write_bytes((BOM if bom else b"") + text)
    return path.relative_to(campaign).as_posix()


TYPO = ("\nowner = ", "\nownr = ")
QUOTED_DATE = ("\ndue = 2023-10-31", '\ndue = "2023-10-31"')
BAD_LEVEL = ('level = "county"', 'level = "city"')


# --- what init and new write ---------------------------------------------------------


def test_init_writes_the_schema_checklist_schema_prints(campaign: Path, cli) -> None:
    printed = cli("schema", "--config", campaign / "campaign.toml")
    assert printed.code == 0, printed.err

    written = (campaign / "units" / "unit.schema.json").read_text(encoding="utf-8")

    assert written == printed.out
    schema = json.loads(written)
    assert "410103" in schema["properties"]["unit"]["properties"]["county"]["enum"]
    assert "二七区" in schema["properties"]["unit"]["properties"]["county"]["enum"]
    assert (campaign / ".taplo.toml").is_file()
    assert (campaign / "tombi.toml").is_file()


def test_the_tool_configs_are_not_unit_files(campaign: Path, cli) -> None:
    result = cli("validate", campaign)  # the whole folder: tombi.toml and .taplo.toml included
    n_units = len(list(EXAMPLE_UNITS.rglob("*.toml")))

    assert result.code == 0, result.out + result.err
    assert f"{n_units} files checked" in result.out


def test_new_points_the_file_at_the_schema(campaign: Path, cli, monkeypatch) -> None:
    monkeypatch.chdir(campaign)
    result = cli("new", "--county", "410105", "--level", "grassroots", "--name", "测试单位")
    assert result.code == 0, result.err
    assert "editors:" not in result.out  # the schema is there and current

    path = campaign / "units" / "410105" / "410105-001.toml"
    lines = path.read_text(encoding="utf-8").splitlines()

    assert lines[:2] == ["#:schema ../unit.schema.json", ""]
    assert (path.parent / "../unit.schema.json").resolve() == (
        campaign / "units" / "unit.schema.json"
    ).resolve()


def test_new_without_a_schema_writes_no_schema_line_and_says_so(campaign: Path, cli, monkeypatch):
    (campaign / "units" / "unit.schema.json").unlink()
    monkeypatch.chdir(campaign)

    result = cli("new", "--county", "410105", "--level", "grassroots", "--name", "测试单位")

    assert result.code == 0, result.err
    text = (campaign / "units" / "410105" / "410105-001.toml").read_text(encoding="utf-8")
    assert "#:schema" not in text
    assert "editors: units/unit.schema.json is not the schema for this campaign" in result.out
    assert "checklist schema > units/unit.schema.json" in result.out


# --- schema --check --------------------------------------------------------------------


def test_schema_check_passes_right_after_init(campaign: Path, cli) -> None:
    result = cli("schema", "--check", campaign / "units" / "unit.schema.json")

    assert result.code == 0, result.out + result.err
    assert result.out.endswith("is up to date\n")


def test_schema_check_ignores_reformatting(campaign: Path, cli) -> None:
    path = campaign / "units" / "unit.schema.json"
    path.write_text(json.dumps(json.loads(path.read_bytes()), indent=4), encoding="utf-8")

    assert cli("schema", "--check", path).code == 0


@pytest.mark.parametrize(
    ("edit", "why"),
    [
        (
            lambda t: t + '\n[[counties]]\ncode = "410199"\nname = "新区"\n',
            "the counties of campaign.toml changed",
        ),
        (
            lambda t: t.replace('[[measures]]\nkey = "institutions"\nname = "建章立制"\n', "", 1),
            "the measures of campaign.toml changed",
        ),
        (
            lambda t: t.replace("郑州市第二批主题教育", "郑州市主题教育", 1),
            "the campaign's name changed",
        ),
    ],
    ids=["county", "measure", "name"],
)
def test_schema_check_says_what_made_it_stale(campaign: Path, cli, monkeypatch, edit, why) -> None:
    config = campaign / "campaign.toml"
    before = config.read_text(encoding="utf-8")
    config.write_text(edit(before), encoding="utf-8")
    assert config.read_text(encoding="utf-8") != before
    monkeypatch.chdir(campaign)

    stale = cli("schema", "--check", "units/unit.schema.json")

    assert stale.code == 1
    assert stale.out == (
        f"units/unit.schema.json is not the schema for unit files: {why}; "
        "write it with: checklist schema > units/unit.schema.json\n"
    )
    # Doing what the hint says makes it current.
    rewritten = cli("schema")
    Path("units/unit.schema.json").write_text(rewritten.out, encoding="utf-8")
    assert cli("schema", "--check", "units/unit.schema.json").code == 0


def test_schema_check_of_a_missing_or_broken_file(campaign: Path, cli) -> None:
    missing = cli("schema", "--check", campaign / "nothing.json")
    (campaign / "broken.json").write_text("{", encoding="utf-8")
    broken = cli("schema", "--check", campaign / "broken.json")

    assert (missing.code, broken.code) == (1, 1)
    assert "there is no such file" in missing.out
    assert "it is not a JSON document" in broken.out


def test_schema_check_from_another_folder_names_the_campaign(campaign: Path, cli, monkeypatch):
    monkeypatch.chdir(campaign.parent)  # no campaign.toml here: the file's campaign is used

    result = cli("schema", "--check", "campaign/units/unit.schema.json")

    assert result.code == 0, result.out + result.err
    config = campaign / "campaign.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("二七区", "二七新区"), "utf-8")
    stale = cli("schema", "--check", "campaign/units/unit.schema.json")
    assert stale.code == 1
    assert f"checklist schema --config {config} > campaign/units/unit.schema.json" in stale.out


def test_a_broken_campaign_is_an_error_not_a_default_schema(campaign: Path, cli) -> None:
    config = campaign / "campaign.toml"
    config.write_text("[campaign]\n", encoding="utf-8")

    assert cli("schema", "--config", config).code == 2
    assert cli("schema", "--check", campaign / "units" / "unit.schema.json").code == 2


# --- the byte-order mark ------------------------------------------------------------------


def test_a_bom_is_a_warning_with_its_fix(campaign: Path, cli) -> None:
    path = campaign / _variant(campaign, "bom", None, bom=True)

    result = cli("validate", "--format", "json", path)
    strict = cli("validate", "--strict", path)

    assert result.code == 0, result.out
    problems = json.loads(result.out)["problems"]
    assert [(p["code"], p["line"], p["column"]) for p in problems] == [("W407", 1, 1)]
    assert "without BOM" in problems[0]["hint"]
    assert strict.code == 1


# --- taplo ----------------------------------------------------------------------------


@needs_taplo
def test_taplo_accepts_every_example_unit(campaign: Path) -> None:
    result = taplo(campaign)
    n_units = len(list(EXAMPLE_UNITS.rglob("*.toml")))

    assert result.returncode == 0, result.stderr
    assert f"found files total={n_units} excluded=0" in result.stderr
    assert "schema" not in result.stderr.replace(".taplo.toml", "")
    assert "error" not in result.stderr.lower()


@needs_taplo
@pytest.mark.parametrize(
    ("change", "said"),
    [(TYPO, "'ownr' was unexpected"), (BAD_LEVEL, '"city" is not one of')],
    ids=["typo", "level"],
)
def test_taplo_catches(campaign: Path, change: tuple[str, str], said: str) -> None:
    file = _variant(campaign, "mistake", change)

    result = taplo(campaign, file)

    assert result.returncode == 1
    assert said in result.stderr


@needs_taplo
def test_taplo_cannot_tell_a_quoted_date(campaign: Path, cli) -> None:
    """docs/format.md says taplo misses it (a TOML date is a JSON string to taplo); if a
    future taplo catches it, this fails and the table there should say so."""
    file = _variant(campaign, "quoted", QUOTED_DATE)

    assert taplo(campaign, file).returncode == 0
    assert cli("validate", campaign / file).code == 1  # E104: checklist does


@needs_taplo
def test_taplo_refuses_a_bom(campaign: Path) -> None:
    result = taplo(campaign, _variant(campaign, "bom", None, bom=True))

    assert result.returncode == 1
    assert "invalid TOML" in result.stderr


@needs_taplo
def test_taplo_reads_the_schema_line_of_a_new_file(campaign: Path, cli, monkeypatch) -> None:
    """Without the campaign's configs, `#:schema ../unit.schema.json` alone points taplo at it."""
    (campaign / ".taplo.toml").unlink()
    monkeypatch.chdir(campaign)
    assert cli("new", "--county", "410105", "--level", "grassroots", "--name", "测试单位").code == 0
    path = campaign / "units" / "410105" / "410105-001.toml"

    empty = taplo(campaign, "units/410105/410105-001.toml")
    path.write_text(_fill_in(path.read_text(encoding="utf-8")), encoding="utf-8")
    filled = taplo(campaign, "units/410105/410105-001.toml")

    assert empty.returncode == 1
    assert '"" is shorter than 1 character' in empty.stderr  # the owners left to fill in
    assert filled.returncode == 0, filled.stderr
    assert cli("validate", path).code == 0


# --- tombi ----------------------------------------------------------------------------


@needs_tombi
def test_tombi_accepts_every_example_unit(campaign: Path) -> None:
    result = tombi(campaign)
    n_units = len(list(EXAMPLE_UNITS.rglob("*.toml")))

    assert result.returncode == 0, result.stdout
    assert f"{n_units} files linted successfully" in result.stdout


@needs_tombi
@pytest.mark.parametrize(
    ("change", "said"),
    [
        (TYPO, '"ownr" is not allowed'),
        (BAD_LEVEL, '"city"'),
        (QUOTED_DATE, "expected a value of type LocalDate, but found String"),
    ],
    ids=["typo", "level", "quoted-date"],
)
def test_tombi_catches(campaign: Path, change: tuple[str, str], said: str) -> None:
    file = _variant(campaign, "mistake", change)

    result = tombi(campaign, file)

    assert result.returncode == 1
    assert said in result.stdout


@needs_tombi
def test_tombi_refuses_a_bom(campaign: Path) -> None:
    result = tombi(campaign, _variant(campaign, "bom", None, bom=True))

    assert result.returncode == 1
    assert "1 file failed to be linted" in result.stdout


@needs_tombi
def test_tombi_finds_its_config_from_a_county_folder(campaign: Path) -> None:
    _variant(campaign, "mistake", TYPO)

    result = tombi(campaign / "units" / "410103", "mistake.toml")

    assert result.returncode == 1
    assert '"ownr" is not allowed' in result.stdout


@needs_tombi
def test_tombi_reads_the_schema_line_of_a_new_file(campaign: Path, cli, monkeypatch) -> None:
    (campaign / "tombi.toml").unlink()
    monkeypatch.chdir(campaign)
    assert cli("new", "--county", "410105", "--level", "grassroots", "--name", "测试单位").code == 0
    path = campaign / "units" / "410105" / "410105-001.toml"

    empty = tombi(campaign, "units/410105/410105-001.toml")
    path.write_text(_fill_in(path.read_text(encoding="utf-8")), encoding="utf-8")
    filled = tombi(campaign, "units/410105/410105-001.toml")

    assert empty.returncode == 1
    assert "the length must be ≥ 1, but found 0" in empty.stdout
    assert filled.returncode == 0, filled.stdout


def _fill_in(text: str) -> str:
    """What a person does in an editor: a contact, every owner and every measure's due."""
    text = text.replace('contact = ""', 'contact = "王红"').replace('owner = ""', 'owner = "张伟"')
    return re.sub(r"^# due = \S+(\s+# 截止日期)", r"due = 2023-12-31\1", text, flags=re.MULTILINE)
