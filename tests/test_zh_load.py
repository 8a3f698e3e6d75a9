"""Every finding of loading a file (source, discovery, shape, hidden characters) speaks
Chinese to a clerk: `validate --lang zh` says it in Chinese, with the same facts, and with
a hint exactly when the English has one."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from checklist.load.campaign import load_campaign
from checklist.load.check import check_unit
from checklist.load.schema import CAMPAIGN_SCHEMA, Field, Kind, unit_schema
from checklist.load.source import MAX_BYTES
from checklist.load.source_zh import syntax_zh
from conftest import CAMPAIGN_TOML, REPO, VALID_UNIT

CJK = re.compile(r"[\u4e00-\u9fff]")
EXAMPLES = REPO / "examples" / "invalid"
CORPUS = REPO.parent / "shared" / "toml-test" / "tests" / "invalid"

Pair = tuple[dict[str, Any], dict[str, Any]]


def _problems(cli: Callable[..., Any], lang: str, *args: str | Path) -> list[dict[str, Any]]:
    result = cli("validate", "-f", "json", "--no-cache", "--lang", lang, *args)
    assert result.code in (0, 1, 2), (result.out, result.err)  # warnings alone exit 0
    return list(json.loads(result.out)["problems"])


def _pairs(cli: Callable[..., Any], *args: str | Path) -> list[Pair]:
    """Each problem in English and in Chinese, the same problem at the same place."""
    en, zh = _problems(cli, "en", *args), _problems(cli, "zh", *args)
    where = [(p["file"], p["line"], p["column"], p["code"]) for p in en]
    assert where == [(p["file"], p["line"], p["column"], p["code"]) for p in zh]
    return list(zip(en, zh, strict=True))


def _said(pair: Pair, code: str, *facts: str) -> str:
    """Check one problem's Chinese; return its message and hint together."""
    en, zh = pair
    assert zh["code"] == code, pair
    assert CJK.search(zh["message"]), zh
    assert zh["message"] != en["message"]
    assert (zh["hint"] is None) == (en["hint"] is None), pair
    if zh["hint"] is not None:
        assert CJK.search(zh["hint"]), zh
    said = f"{zh['message']} {zh['hint'] or ''}"
    for fact in facts:
        assert fact in said, (fact, said)
    return said


def _one(cli: Callable[..., Any], code: str, *args: str | Path, facts: tuple[str, ...] = ()) -> str:
    pairs = [pair for pair in _pairs(cli, *args) if pair[0]["code"] == code]
    assert len(pairs) == 1, pairs
    return _said(pairs[0], code, *facts)


# --- one example of examples/invalid per code -------------------------------------------

EXAMPLE_FACTS = {
    "E002-not-utf8.toml": ("0xD6", "GBK", "UTF-8"),
    "E003-empty-file.toml": ("注释", "[unit]"),
    "E005-toml-syntax.toml": ("值", '"张伟"', "2023-10-31"),
    "E006-invalid-date.toml": ("2023-09-31", "2023 年 9 月只有 30 天"),
    "E101-unknown-key.toml": ('"ower"', "owner", "[development]"),
    "E102-missing-key.toml": ("[unit]", "contact", 'contact = "王红"', "联系人"),
    "E103-wrong-type.toml": ("contact", "13838012345", 'contact = "13838012345"'),
    "E104-date-as-string.toml": ('"2023-11-24"', "due = 2023-11-24"),
    "E203-empty-text.toml": ("owner", "负责"),
    "E204-control-character-in-a-name.toml": ("owner", "U+200B", "零宽空格"),
    "E204-control-character.toml": ("title", "U+202E"),
    "W406-invisible-character.toml": ("title", "U+200B", "emoji"),
    "W407-byte-order-mark.toml": ("BOM", "UTF-8", "taplo"),
}


@pytest.mark.parametrize("name", sorted(EXAMPLE_FACTS))
def test_each_example_speaks_chinese(cli, monkeypatch, name):
    monkeypatch.chdir(REPO)
    _one(cli, name[:4], f"examples/invalid/{name}", facts=EXAMPLE_FACTS[name])


# --- source.py: reading, decoding, parsing ------------------------------------------------


def test_a_folder_named_like_a_unit_file(cli, write_unit):
    folder = write_unit("ok.toml", VALID_UNIT).parent / "folder.toml"
    folder.mkdir()
    _one(cli, "E001", folder, facts=("文件夹",))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo(cli, write_unit):
    fifo = write_unit("ok.toml", VALID_UNIT).parent / "pipe.toml"
    os.mkfifo(fifo)
    _one(cli, "E001", fifo, facts=("管道",))


def test_a_file_that_may_not_be_read(cli, write_unit, monkeypatch):
    import checklist.load.source

    def refusing(path: Path, within: Path | None) -> int:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(checklist.load.source, "_open", refusing)
    _one(cli, "E001", write_unit("a.toml", VALID_UNIT), facts=("没有读取权限",))


def test_a_folder_that_may_not_be_listed(cli, write_unit, monkeypatch):
    folder = write_unit("a.toml", VALID_UNIT).parent
    scandir = os.scandir

    def refusing(path: Any = ".") -> Any:
        if Path(path) == folder:
            raise PermissionError(13, "Permission denied", str(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refusing)
    _one(cli, "E001", folder.parent, facts=("文件夹", "没有读取权限", "权限"))


def test_a_broken_link(cli, write_unit, tmp_path):
    folder = write_unit("a.toml", VALID_UNIT).parent
    (folder / "gone").symlink_to(tmp_path / "nowhere")
    _one(cli, "E001", folder, facts=("链接", str(tmp_path / "nowhere")))


def test_a_link_outside_the_campaign(cli, write_unit, tmp_path):
    outside = tmp_path / "outside.toml"
    outside.write_text(VALID_UNIT, encoding="utf-8")
    link = write_unit("a.toml", VALID_UNIT).parent / "b.toml"
    link.symlink_to(outside)
    _one(cli, "E007", link.parent, facts=(str(outside), "--follow-outside"))


def test_a_file_too_large(cli, write_unit):
    big = VALID_UNIT + "# 注释\n" * (MAX_BYTES // 8)
    _one(cli, "E004", write_unit("big.toml", big), facts=(f"{MAX_BYTES // 1024} KiB",))


@pytest.mark.parametrize(
    ("data", "facts"),
    [
        ("[unit]\n".encode("utf-16"), ("UTF-16", "另存为")),
        (b"[unit]\0\n", ("二进制",)),
        (VALID_UNIT.encode("utf-8").replace("王红".encode(), b"\xff"), ("0xFF", "UTF-8")),
    ],
    ids=["utf-16", "binary", "not-utf-8"],
)
def test_bytes_that_are_not_utf8_text(cli, write_unit, data, facts):
    _one(cli, "E002", write_unit("a.toml", data), facts=facts)


def test_an_empty_file(cli, write_unit):
    _one(cli, "E003", write_unit("a.toml", "\n\n"), facts=("空",))


@pytest.mark.parametrize(
    ("text", "facts"),
    [
        ('[unit]\nname = "a" "b"\n', ("一行只能写一项",)),
        ("[unit]\nname\n", ("等号",)),
        ("[unit\n", ("]",)),
        ("[[study.tasks]\n", ("]]",)),
        ('[unit]\nname = "a\n', ("引号",)),
        ("[unit]\nlevels = [1, 2\n", ("列表", "(在文件末尾)")),
        ("[unit]\n[unit]\n", ("[unit]", "两遍", "[[study.tasks]]")),
        ("[unit]\nname = 1\nname = 2\n", ("两遍", "[[study.tasks]]")),
        ('[unit]\nname = "a\\qb"\n', ("反斜杠",)),
        ("[unit]\nname = " + "[" * 3000 + "\n", ("套得太深",)),
    ],
    ids=[
        "two-values",
        "no-equals",
        "table-unclosed",
        "array-of-tables-unclosed",
        "string-unclosed",
        "at-end",
        "table-twice",
        "key-twice",
        "bad-escape",
        "too-deep",
    ],
)
def test_syntax_errors(cli, write_unit, text, facts):
    said = _one(cli, "E005", write_unit("a.toml", text), facts=facts)
    assert "原文" not in said  # a message of tomllib's that the table knows


@pytest.mark.parametrize(
    ("message", "said"),
    [
        ("Cannot declare ('study', 'tasks') twice", "[study.tasks]"),
        ("Cannot declare ('a\\x1b', 'b') twice", '"a\\u001b".b'),
        ("Duplicate inline table key 'owner'", "owner"),
        ("Found invalid character '\\x00'", "U+0000"),
        ("Illegal character '\\r'", "回车符"),
        ("Expected \"'''\"", "'''"),
        ("Cannot redefine namespace ('a', 'b')", "a.b"),
        ("Cannot mutate immutable namespace ('a',)", "a"),
    ],
)
def test_tomllib_messages_keep_their_facts(message, said):
    assert said in syntax_zh(message)
    assert CJK.search(syntax_zh(message))


def test_a_message_tomllib_never_said_before_is_still_shown():
    said = syntax_zh("Something new went wrong")
    assert CJK.search(said)
    assert "Something new went wrong" in said


@pytest.mark.skipif(not CORPUS.is_dir(), reason="toml-test corpus not found")
def test_every_invalid_file_of_the_toml_corpus_gets_chinese():
    campaign = load_campaign(REPO / "examples" / "zhengzhou" / "campaign.toml")
    files = sorted(p for p in CORPUS.rglob("*") if p.is_file())
    assert len(files) > 500
    for file in files:
        result = check_unit(
            file.read_bytes(), file=file.name, campaign=campaign, today=date(2023, 11, 20)
        )
        for problem in result.problems:
            assert CJK.search(problem.message_zh), (file, problem)
            assert "原文" not in problem.message_zh, (file, problem)
            assert (problem.hint_zh is None) == (problem.hint is None), (file, problem)


@pytest.mark.parametrize(
    ("due", "facts"),
    [("2023-02-29", ("2023-02-29", "2023 年 2 月只有 28 天")), ("2023-13-01", ("没有 13 月",))],
)
def test_dates_that_do_not_exist(cli, write_unit, due, facts):
    text = VALID_UNIT.replace("due = 2023-10-31", f"due = {due}")
    _one(cli, "E006", write_unit("a.toml", text), facts=facts)


def test_a_key_of_too_many_parts(cli, write_unit):
    text = VALID_UNIT.replace('note = "“', 'a.b.c.d.e.f.g.h.i.j.k = 1\nnote = "“')
    _one(cli, "E101", write_unit("a.toml", text), facts=("10 段", "study.tasks"))


# --- shape.py: unknown, missing and mistyped keys -------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "facts"),
    [
        ("[research]", "[reserch]", ("[reserch]", "research")),
        ("[research]", "[zzqq]\n[research]", ("[zzqq]", "[unit]、[people]", "[study]")),
        ("[unit]", 'contact = "王红"\n[unit]', ('"contact"', "[unit]")),
        (
            'level = "grassroots"',
            'level = "grassroots"\nxyzzy = 1',
            ('"xyzzy"', "[unit]", "county"),
        ),
        ('title = "读书班结业"', '"负责人" = "张伟"', ('"负责人"', "owner(责任人)", "第 2 项")),
    ],
    ids=["table-guessed", "table-unguessed", "key-that-belongs-in-a-table", "key", "alias"],
)
def test_unknown_keys(cli, write_unit, old, new, facts):
    _one(cli, "E101", write_unit("a.toml", VALID_UNIT.replace(old, new, 1)), facts=facts)


def _wholly_chinese(text: str) -> None:
    """No run of English words, as a doc written in English would leave."""
    assert not re.search(r"[A-Za-z]{2,}[ ,.;:]+[A-Za-z]{2,} [A-Za-z]{2,}", text), text


def test_a_missing_table(cli, write_unit):
    text = VALID_UNIT.replace('[research]\nowner = "李强"\ndue = 2023-11-30\n', "")
    said = _one(cli, "E102", write_unit("a.toml", text), facts=("[research]", "调查研究"))
    _wholly_chinese(said)


def test_a_missing_key_in_a_task(cli, write_unit):
    text = VALID_UNIT.replace('title = "读书班结业"', 'note = "x"')
    said = _one(cli, "E102", write_unit("a.toml", text), facts=("[[study.tasks]] 第 2 项", "title"))
    _wholly_chinese(said)


def test_a_missing_list_of_tables_in_campaign_toml(cli, write_unit, campaign_dir):
    campaign_dir(CAMPAIGN_TOML.split("[[counties]]")[0])
    folder = write_unit("a.toml", VALID_UNIT).parents[2]
    said = _one(cli, "E102", folder, facts=("[[counties]]",))
    _wholly_chinese(said)


def _needing_zh(field: Field) -> list[Field]:
    found = []
    for child in field.fields:
        if child.required or child.kind in (Kind.TABLE, Kind.TABLES):
            found.append(child)
        found += _needing_zh(child)
    return found


def test_every_doc_that_reaches_a_hint_has_chinese():
    fields = _needing_zh(CAMPAIGN_SCHEMA) + _needing_zh(unit_schema())
    assert len(fields) > 20
    for field in fields:
        assert CJK.search(field.zh), field.name
        _wholly_chinese(field.zh)


@pytest.mark.parametrize(
    ("old", "new", "code", "facts"),
    [
        ('contact = "王红"', "contact = true", "E103", ("contact", "true", 'contact = "true"')),
        (
            "due = 2023-10-31",
            "due = 2023-10-31T09:00:00",
            "E103",
            ("2023-10-31T09:00:00", "due = 2023-10-31"),
        ),
        ('title = "读书班结业"', 'title = ["a"]', "E103", ("title", "列表")),
        (
            "done = 2023-09-28",
            "done = [2023-09-28, 12]",
            "E103",
            ("done(完成日期) 的第 2 个", "12"),
        ),
        ("due = 2023-10-31", 'due = "2023-02-30"', "E104", ('"2023-02-30"', "只有 28 天")),
        ("due = 2023-10-31", 'due = "2023年10月31日"', "E104", ("due = 2023-10-31",)),
    ],
    ids=["bool", "datetime", "list-for-text", "item", "no-date", "quoted"],
)
def test_wrong_types(cli, write_unit, old, new, code, facts):
    text = VALID_UNIT.replace(old, new, 1)
    _one(cli, code, write_unit("a.toml", text), facts=facts)


def test_a_single_table_where_tasks_are_a_list(cli, write_unit):
    text = VALID_UNIT.replace("[[institutions.tasks]]", "[institutions.tasks]")
    _one(cli, "E103", write_unit("a.toml", text), facts=("[[institutions.tasks]]",))


# --- words.py and rules/text.py: hidden characters, empty texts -------------------------------


@pytest.mark.parametrize(
    ("old", "new", "code", "facts"),
    [
        ('"王红" = "wang', '"王\\u200b红" = "wang', "E204", ("名称", "U+200B")),
        (
            'title = "读书班结业"',
            'title = "读书\\u0007班"',
            "E204",
            ("title", "U+0007", "控制字符"),
        ),
        ('title = "读书班结业"', 'title = "读书\\ufe0f班"', "W406", ("U+FE0F", "emoji")),
        ('county = "410103"', 'county = ""', "E203", ("county",)),
    ],
    ids=["key", "control", "selector", "empty"],
)
def test_hidden_and_empty_texts(cli, write_unit, old, new, code, facts):
    assert old in VALID_UNIT
    _one(cli, code, write_unit("a.toml", VALID_UNIT.replace(old, new, 1)), facts=facts)


# --- validate.py: a crash is the file's problem ------------------------------------------------


def test_a_bug_while_checking(cli, write_unit, monkeypatch):
    import checklist.load.check

    def failing(data: bytes, **kwargs: Any) -> Any:
        raise TypeError("something odd")

    monkeypatch.setattr(checklist.load.check, "check_unit", failing)
    _one(cli, "E008", write_unit("a.toml", VALID_UNIT), facts=("TypeError", "something odd"))
