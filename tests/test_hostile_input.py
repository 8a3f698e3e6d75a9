"""Hostile and odd input is an error like any other: exit 1, located, no traceback.

Each case is checked next to an ordinary broken file, which must still be reported.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from checklist.rules.recurrence import MAX_REPEATING_TASKS
from conftest import VALID_UNIT

OTHER = VALID_UNIT.replace('id = "erqi-test"', 'id = "other"').replace(
    'owner = "张伟"', 'ownr = "张伟"'
)
OTHER_NAME = "zz-other.toml"  # sorts after every hostile file
ONE_MIB = 1 << 20


def _unit(unit_id: str, **replace: str) -> str:
    text = VALID_UNIT.replace('id = "erqi-test"', f'id = "{unit_id}"')
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def _line_of(text: str, snippet: str) -> int:
    return text[: text.index(snippet)].count("\n") + 1


Problems = dict[str, list[dict[str, Any]]]


@pytest.fixture
def check(cli, write_unit) -> Callable[..., tuple[int, Problems]]:
    """check(*paths) validates the paths and the other file; returns the code and problems.

    Runs the text format too: same exit code, no traceback, no escape sequence.
    """
    other = write_unit(OTHER_NAME, OTHER)

    def run(*paths: Path) -> tuple[int, Problems]:
        args = [*paths, other] if paths else [other.parent]
        result = cli("validate", "--format", "json", *args)
        text = cli("validate", *args)
        for output in (result.err, text.err):
            assert "Traceback" not in output
            assert "internal error" not in output, output
        assert text.code == result.code, text.err
        assert "\x1b" not in text.out + text.err
        assert "\u202e" not in text.out + text.err
        document = json.loads(result.out)
        problems: Problems = {}
        for problem in document["problems"]:
            problems.setdefault(Path(problem["file"]).name, []).append(problem)
        assert [(p["code"], p["line"], p["column"]) for p in problems.get(OTHER_NAME, [])] == [
            ("E101", 14, 1)
        ], "the other file was not checked"
        return result.code, problems

    return run


def _one(problems: Problems, name: str, code: str) -> dict[str, Any]:
    found = [p for p in problems.get(name, []) if p["code"] == code]
    assert found, f"no {code} for {name}: {problems.get(name)}"
    problem = found[0]
    assert problem["severity"] == "error"
    assert problem["line"] >= 1
    assert problem["column"] >= 1
    return problem


# --- encodings ------------------------------------------------------------------------


def test_binary_file(check, write_unit):
    noise = bytearray(random.Random(7).randbytes(2048))
    noise[100:104] = b"\0\0\0\0"
    path = write_unit("binary.toml", bytes(noise))
    code, problems = check(path)
    assert code == 1
    assert "binary" in _one(problems, "binary.toml", "E002")["message"]


def test_utf16_with_bom(check, write_unit):
    path = write_unit("utf16.toml", VALID_UNIT.encode("utf-16"))
    assert path.read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff")
    code, problems = check(path)
    assert code == 1
    assert "UTF-16" in _one(problems, "utf16.toml", "E002")["message"]


def test_gbk_encoded_chinese(check, write_unit):
    path = write_unit("gbk.toml", VALID_UNIT.encode("gbk"))
    code, problems = check(path)
    assert code == 1
    problem = _one(problems, "gbk.toml", "E002")
    assert "GBK" in problem["hint"]
    assert (problem["line"], problem["column"]) == (1, 3)  # "# " then the first Chinese character


def test_utf8_bom_is_accepted_with_a_warning(check, write_unit):
    path = write_unit("bom.toml", _unit("bom").encode("utf-8-sig"))
    code, problems = check(path)
    assert code == 1  # the other file
    # Read, but W407: the editors' TOML tools refuse such a file.
    assert [(p["code"], p["line"], p["column"]) for p in problems["bom.toml"]] == [("W407", 1, 1)]


def test_utf8_bom_does_not_shift_columns(check, write_unit):
    text = _unit("bom", **{"# 二七区测试单位 五项重点措施清单": 'x = "二七"'})
    write_unit("plain.toml", text.replace('"bom"', '"plain"'))
    write_unit("bom.toml", text.encode("utf-8-sig"))
    code, problems = check()
    assert code == 1
    assert _one(problems, "bom.toml", "E101")["column"] == 1
    assert [(p["line"], p["column"]) for p in problems["bom.toml"] if p["code"] != "W407"] == [
        (p["line"], p["column"]) for p in problems["plain.toml"]
    ]


def test_crlf_valid_file(check, write_unit):
    path = write_unit("crlf.toml", _unit("crlf").replace("\n", "\r\n"))
    code, problems = check(path)
    assert code == 1
    assert "crlf.toml" not in problems


@pytest.mark.parametrize(
    "mistake",
    [
        {'owner = "张伟"': 'ownr = "张伟"'},
        {'county = "410103"': 'county = "41013"'},
        {"done = [2023-09-25]": "done = [2023-09-25, 2023-12-25]"},
        {'title = "读书班结业"': 'title = "读书班结业"\ndue = "2023-10-31"'},
        {"[research]": "[research"},
        {'repeat = "monthly"': 'repeat = "FREQ=SECONDLY"'},
    ],
    ids=["key", "value", "list-element", "quoted-date", "syntax", "value-at-end"],
)
def test_crlf_mistake_has_the_lf_position(check, write_unit, mistake):
    text = _unit("lf", **mistake)
    write_unit("lf.toml", text)
    write_unit("crlf.toml", text.replace('"lf"', '"crlf"').replace("\n", "\r\n"))
    code, problems = check()
    assert code == 1

    def where(name: str) -> list[tuple[Any, ...]]:
        keys = ("code", "line", "column", "end_line", "end_column")
        return [tuple(p[k] for k in keys) for p in problems[name]]

    assert where("lf.toml")
    assert where("crlf.toml") == where("lf.toml")


# --- empty, huge, deep ----------------------------------------------------------------


def test_empty_file(check, write_unit):
    path = write_unit("empty.toml", b"")
    code, problems = check(path)
    assert code == 1
    problem = _one(problems, "empty.toml", "E003")
    assert (problem["line"], problem["column"]) == (1, 1)


WHITESPACE_AND_COMMENTS = "\n  \n\t\n# 二七区测试单位\n   # 待填写\r\n\n"


def test_only_whitespace_and_comments_is_an_error(check, write_unit):
    path = write_unit("comments.toml", WHITESPACE_AND_COMMENTS)
    code, problems = check(path)
    assert code == 1
    assert problems.get("comments.toml")
    for problem in problems["comments.toml"]:
        assert problem["severity"] == "error"
        assert problem["line"] >= 1
        assert problem["column"] >= 1


def test_only_whitespace_and_comments_is_empty_file(check, write_unit):
    # rules.py: E003 empty-file "The file is empty or holds only comments."
    path = write_unit("comments.toml", WHITESPACE_AND_COMMENTS)
    _, problems = check(path)
    assert [p["code"] for p in problems["comments.toml"]] == ["E003"]


def test_file_over_one_mib(check, write_unit):
    path = write_unit("huge.toml", VALID_UNIT + "# " + "x" * ONE_MIB + "\n")
    code, problems = check(path)
    assert code == 1
    assert [p["code"] for p in problems["huge.toml"]] == ["E004"]


def test_deeply_nested_arrays(check, write_unit):
    depth = 10_000
    path = write_unit("deep.toml", "a = " + "[" * depth + "]" * depth + "\n")
    code, problems = check(path)
    assert code == 1
    _one(problems, "deep.toml", "E005")


def test_one_mib_single_line_with_a_mistake(check, write_unit):
    head = _unit("long")
    filler = ONE_MIB - len(head.encode()) - 100
    text = head + 'ownr = "' + "长" * (filler // 3) + '"\n'
    assert ONE_MIB - 200 < len(text.encode()) <= ONE_MIB
    path = write_unit("long.toml", text)
    code, problems = check(path)
    assert code == 1
    problem = _one(problems, "long.toml", "E101")
    assert (problem["line"], problem["column"]) == (text.count("\n"), 1)


def test_one_mib_single_line_syntax_error(check, write_unit):
    prefix = 'x = "' + "a" * (ONE_MIB - 100) + '" '
    text = prefix + "y\n"
    path = write_unit("longsyntax.toml", text)
    code, problems = check(path)
    assert code == 1
    problem = _one(problems, "longsyntax.toml", "E005")
    assert (problem["line"], problem["column"]) == (1, len(prefix) + 1)
    with pytest.raises(tomllib.TOMLDecodeError, match=f"line 1, column {len(prefix) + 1}"):
        tomllib.loads(text)


# --- things that are not regular files ------------------------------------------------


def test_folder_named_toml_passed_explicitly(check, write_unit):
    folder = write_unit(OTHER_NAME, OTHER).parent / "x.toml"
    folder.mkdir()
    code, problems = check(folder)
    assert code == 1
    _one(problems, "x.toml", "E001")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs os.mkfifo")
def test_fifo_passed_explicitly_does_not_hang(write_unit):
    other = write_unit(OTHER_NAME, OTHER)
    fifo = other.parent / "y.toml"
    os.mkfifo(fifo)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "checklist", "validate", "-f", "json", str(fifo), str(other)],
            capture_output=True,
            text=True,
            timeout=20,
            cwd=other.parents[2],
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("checklist validate y.toml (a FIFO) hung for 20 s")
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    names = {(Path(p["file"]).name, p["code"]) for p in json.loads(done.stdout)["problems"]}
    assert ("y.toml", "E001") in names
    assert (OTHER_NAME, "E101") in names


@pytest.mark.parametrize("how", ["explicit", "in-folder"])
def test_symlink_loop(check, write_unit, how):
    folder = write_unit(OTHER_NAME, OTHER).parent
    (folder / "loop-a.toml").symlink_to("loop-b.toml")
    (folder / "loop-b.toml").symlink_to("loop-a.toml")
    code, problems = check(folder / "loop-a.toml") if how == "explicit" else check()
    assert code == 1
    _one(problems, "loop-a.toml", "E001")


# --- invisible characters -------------------------------------------------------------

TITLE = 'title = "主题教育月报"'
PEOPLE = '"王红" = "wanghong@example.cn"'


@pytest.mark.parametrize(
    ("old", "new", "column"),
    [
        (TITLE, 'title = "主题教育月报\\u0007"', 9),
        (TITLE, 'title = "主题教育月报\\u001b[31m"', 9),
        (TITLE, 'title = "主题\\u202e教育月报"', 9),
        (TITLE, 'title = "主题\u202e教育月报"', 9),
        (PEOPLE, '"王\\u202e红" = "wanghong@example.cn"', 1),
        (PEOPLE, '"王\u202e红" = "wanghong@example.cn"', 1),
        (PEOPLE, '"王\\u0001红" = "wanghong@example.cn"', 1),
    ],
    ids=[
        "title-bell",
        "title-escape",
        "title-bidi-escaped",
        "title-bidi-raw",
        "key-bidi-escaped",
        "key-bidi-raw",
        "key-control",
    ],
)
def test_invisible_characters(check, write_unit, old, new, column):
    text = _unit("hidden", **{old: new})
    path = write_unit("hidden.toml", text)
    code, problems = check(path)
    assert code == 1
    problem = _one(problems, "hidden.toml", "E204")
    assert (problem["line"], problem["column"]) == (_line_of(text, new), column)
    assert "\u202e" not in problem["message"]
    assert "\x1b" not in problem["message"]


# --- recurrences ----------------------------------------------------------------------


def test_impossible_rrule_finishes(check, write_unit):
    # February 30th never comes: dateutil alone would search up to the year 9999.
    # The due date is still the first occurrence (docs/format.md), and the only one,
    # so a second done date is one too many.
    rule = 'repeat = "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"'
    done = "done = [2023-09-25, 2023-10-25]"
    text = _unit("never", **{'repeat = "monthly"': rule, "done = [2023-09-25]": done})
    path = write_unit("never.toml", text)
    code, problems = check(path)
    assert code == 1
    problem = _one(problems, "never.toml", "E211")
    assert (problem["line"], problem["column"]) == (_line_of(text, done), 8)
    assert "only 1 time" in problem["message"]


def test_subdaily_rrule(check, write_unit):
    rule = 'repeat = "FREQ=SECONDLY"'
    text = _unit("secondly", **{'repeat = "monthly"': rule})
    path = write_unit("secondly.toml", text)
    code, problems = check(path)
    assert code == 1
    problem = _one(problems, "secondly.toml", "E205")
    assert (problem["line"], problem["column"]) == (_line_of(text, rule), 10)


def test_too_many_repeating_tasks(check, write_unit):
    count = 150
    assert count > MAX_REPEATING_TASKS
    task = '\n[[institutions.tasks]]\ntitle = "周报{i}"\ndue = 2023-10-0{day}\nrepeat = "weekly"\n'
    # count - 1, plus the monthly task already in the file
    tasks = "".join(task.format(i=i, day=1 + i % 7) for i in range(count - 1))
    text = _unit("many") + tasks
    assert text.count("repeat = ") == count
    path = write_unit("many.toml", text)
    code, problems = check(path)
    assert code == 1
    limits = [p for p in problems["many.toml"] if p["code"] == "E205"]
    assert len(limits) == count - MAX_REPEATING_TASKS
    assert all(str(MAX_REPEATING_TASKS) in p["message"] for p in limits)
    lines = text.splitlines()
    assert all(lines[p["line"] - 1].startswith("repeat = ") for p in limits)
