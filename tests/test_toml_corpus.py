"""Every invalid file of the toml-test corpus gives a located error, never a traceback."""

from __future__ import annotations

import json
import re
import shutil
import tomllib
from datetime import date
from pathlib import Path

import pytest

from checklist.load.campaign import load_campaign
from checklist.load.check import check_unit
from checklist.model import Campaign, Severity
from conftest import REPO

CORPUS = REPO.parent / "shared" / "toml-test"
INVALID = CORPUS / "tests" / "invalid"
if not INVALID.is_dir():
    pytest.skip(f"toml-test corpus not found at {INVALID}", allow_module_level=True)

FILES = sorted(p for p in INVALID.rglob("*") if p.is_file())
FILE_CODES = {"E002", "E003", "E005", "E006"}  # not UTF-8, empty, syntax, impossible date
TODAY = date(2023, 11, 20)


@pytest.fixture(scope="module")
def campaign() -> Campaign:
    return load_campaign(REPO / "examples" / "zhengzhou" / "campaign.toml")


def _name(file: Path) -> str:
    return file.relative_to(INVALID).as_posix()


def test_corpus_is_there():
    # Guards against parametrizing over nothing.
    assert len(FILES) > 500


@pytest.mark.parametrize("file", FILES, ids=_name)
def test_invalid_file_gives_a_located_error(file: Path, campaign: Campaign):
    data = file.read_bytes()
    result = check_unit(data, file=_name(file), campaign=campaign, today=TODAY)
    assert result.unit is None
    errors = [p for p in result.problems if p.severity is Severity.ERROR]
    assert errors, "no error for an invalid file"
    assert {p.code for p in errors} & FILE_CODES, [(p.code, p.message) for p in errors]
    lines = data.decode("utf-8", "replace").removeprefix("\ufeff").split("\n")
    for problem in result.problems:
        assert problem.file == _name(file)
        assert problem.line >= 1
        assert problem.column >= 1
        assert problem.line <= len(data.splitlines()) + 1, problem
        text = lines[problem.line - 1] if problem.line <= len(lines) else ""
        assert problem.column <= len(text) + 1, problem


# Lines and columns of tomllib's messages, for files with wide or non-ASCII characters
# before the mistake, mistakes far into a line or file, and several kinds of message.
HAND_PICKED = [
    "encoding/bom-not-at-start-01.toml",
    "encoding/ideographic-space.toml",
    "float/arabic-zero-02.toml",
    "integer/arabic-zero-02.toml",
    "inline-table/overwrite-10.toml",
    "string/multiline-escape-space-02.toml",
    "table/append-with-dotted-keys-01.toml",
    "table/duplicate-key-01.toml",
    "table/no-close-02.toml",
    "control/only-ff.toml",
]


@pytest.mark.parametrize("name", HAND_PICKED)
def test_position_matches_tomllib(name: str, campaign: Campaign):
    data = (INVALID / name).read_bytes()
    with pytest.raises(tomllib.TOMLDecodeError) as raised:
        tomllib.loads(data.decode("utf-8"))
    found = re.search(r"\(at line (\d+), column (\d+)\)", str(raised.value))
    assert found, str(raised.value)
    result = check_unit(data, file=name, campaign=campaign, today=TODAY)
    [problem] = result.problems
    assert (problem.line, problem.column) == (int(found[1]), int(found[2]))
    assert problem.code in {"E003", "E005"}


@pytest.mark.parametrize(
    ("name", "line", "column"),
    [
        ("string/no-close-05.toml", 2, 42),  # no newline at the end
        ("array/no-close-01.toml", 2, 1),  # after the final newline
    ],
)
def test_end_of_document_is_located_at_the_end(name: str, line: int, column: int, campaign):
    data = (INVALID / name).read_bytes()
    [problem] = check_unit(data, file=name, campaign=campaign, today=TODAY).problems
    assert problem.code == "E005"
    assert (problem.line, problem.column) == (line, column)
    assert "end of the file" in problem.message


def test_cli_reports_every_corpus_file(cli, campaign_dir):
    units = campaign_dir() / "units"
    units.mkdir()
    sample = FILES[::17]
    sample += [f for f in FILES if f.parent.name == "encoding"][:3]
    assert len(sample) >= 30
    copied = set()
    for file in sample:
        name = _name(file).replace("/", "__").removesuffix(".toml") + ".toml"
        shutil.copyfile(file, units / name)
        copied.add(name)
    result = cli("validate", "--format", "json", units)
    assert result.code == 1, result.err
    assert "Traceback" not in result.err
    document = json.loads(result.out)
    assert document["checked"] == len(copied)
    reported = {Path(p["file"]).name for p in document["problems"] if p["severity"] == "error"}
    assert reported == copied
    text = cli("validate", units)
    assert text.code == 1
    assert re.search(rf"in {len(copied)} files \(checked {len(copied)}\)\.$", text.out.rstrip())
