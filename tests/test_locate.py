"""`checklist.load.locate` spans checked against tomllib on the toml-test corpus and by hand."""

from __future__ import annotations

import contextlib
import math
import tomllib
from pathlib import Path as FilePath
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checklist.load.locate import Path, Place, Span, locate

CORPUS = FilePath(__file__).resolve().parents[2] / "shared" / "toml-test" / "tests" / "valid"
CORPUS_FILES = sorted(CORPUS.rglob("*.toml")) if CORPUS.is_dir() else []


def _read(file: FilePath) -> str:
    # Bytes, not read_text(): universal newlines would hide the CRLF files' line endings.
    return file.read_bytes().decode("utf-8").removeprefix("\ufeff")


def _cut(text: str, span: Span) -> str:
    """The text a span covers."""
    starts = [0]
    starts += [i + 1 for i, char in enumerate(text) if char == "\n"]
    start = starts[span.line - 1] + span.column - 1
    end = starts[span.end_line - 1] + span.end_column - 1
    return text[start:end]


def _walk(value: Any, path: Path = ()) -> list[tuple[Path, Any]]:
    """Every (path, value) below `value`, containers included, like indexing tomllib's dict."""
    items: list[tuple[Path, Any]] = []
    todo: list[tuple[Path, Any]] = [(path, value)]
    while todo:
        here, node = todo.pop()
        children = node.items() if isinstance(node, dict) else enumerate(node)
        for key, child in children:
            items.append(((*here, key), child))
            if isinstance(child, dict | list):
                todo.append(((*here, key), child))
    return items


def _same(left: object, right: object) -> bool:
    if isinstance(left, float) and isinstance(right, float) and math.isnan(left):
        return math.isnan(right) and math.copysign(1, left) == math.copysign(1, right)
    return type(left) is type(right) and left == right


def _key_chain(snippet: str) -> list[str]:
    """The keys a key snippet (`a."b".c` or a `[header]`) names, via tomllib."""
    doc = tomllib.loads(snippet if snippet.startswith("[") else snippet + " = 0")
    chain: list[str] = []
    node: Any = doc
    while isinstance(node, dict | list) and node:
        if isinstance(node, list):
            node = node[-1]
            continue
        (key, node), *_ = node.items()
        chain.append(key)
    return chain


def _check_document(text: str) -> None:
    """Every tomllib path is located; values and keys under their spans match tomllib."""
    expected = tomllib.loads(text)
    places = locate(text)
    for path, value in _walk(expected):
        assert path in places, f"{path} not located"
        place = places[path]
        if not isinstance(value, dict | list):
            snippet = _cut(text, place.value)
            got = tomllib.loads("v = " + snippet)["v"]
            assert _same(got, value), f"{path}: {snippet!r} gives {got!r}, not {value!r}"
        names = [part for part in path if isinstance(part, str)]
        if isinstance(path[-1], int):
            assert place.key == place.value, f"{path}: element key span differs from value"
            continue
        snippet = _cut(text, place.key)
        chain = _key_chain(snippet)
        if snippet.startswith("["):
            assert chain == names, f"{path}: header {snippet!r}"
        else:
            assert chain == names[len(names) - len(chain) :], f"{path}: key {snippet!r}"


def _valid_corpus() -> list[Any]:
    params = []
    for file in CORPUS_FILES:
        text = _read(file)
        try:
            tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            continue  # TOML 1.1 cases that Python 3.11's tomllib rejects
        params.append(pytest.param(text, id=str(file.relative_to(CORPUS))))
    return params


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"toml-test corpus not found at {CORPUS}")
@pytest.mark.parametrize("text", _valid_corpus())
def test_corpus_paths_and_values_match_tomllib(text: str) -> None:
    _check_document(text)


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"toml-test corpus not found at {CORPUS}")
def test_corpus_is_mostly_accepted() -> None:
    # Guards against the corpus test silently parametrizing over nothing.
    assert len(_valid_corpus()) > 100


UNIT = """\
[unit]
name = "中共郑州市二七区委领导班子"
county = "410103"

[study]
ownr = "张伟"

[[study.tasks]]
title = "中心组专题学习"
due = 2023-09-28

[[study.tasks]]
title = "读书班"
done = [2023-09-25,
        2023-10-26]  # second
"""


def _span(line: int, column: int, end_column: int, end_line: int | None = None) -> Span:
    return Span(line, column, line if end_line is None else end_line, end_column)


def _same_place(span: Span) -> Place:
    return Place(span, span)


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_unit_file(newline: str) -> None:
    text = UNIT.replace("\n", newline)
    places = locate(text)
    _check_document(text)
    assert places[("unit",)] == _same_place(_span(1, 1, 7))
    assert places[("unit", "name")] == Place(_span(2, 1, 5), _span(2, 8, 23))
    assert places[("unit", "county")] == Place(_span(3, 1, 7), _span(3, 10, 18))
    assert places[("study", "ownr")] == Place(_span(6, 1, 5), _span(6, 8, 12))
    assert places[("study", "tasks")] == _same_place(_span(8, 1, 16))
    assert places[("study", "tasks", 0)] == _same_place(_span(8, 1, 16))
    assert places[("study", "tasks", 0, "due")] == Place(_span(10, 1, 4), _span(10, 7, 17))
    assert places[("study", "tasks", 1)] == _same_place(_span(12, 1, 16))
    assert places[("study", "tasks", 1, "title")] == Place(_span(13, 1, 6), _span(13, 9, 14))
    assert places[("study", "tasks", 1, "done")] == Place(_span(14, 1, 5), _span(14, 8, 20, 15))
    assert places[("study", "tasks", 1, "done", 0)] == _same_place(_span(14, 9, 19))
    assert places[("study", "tasks", 1, "done", 1)] == _same_place(_span(15, 9, 19))
    assert len(places) == 14


def test_dotted_and_quoted_keys() -> None:
    text = '[t.u]\nx.y = "s"\nx . "名 称" = 1\n\'lit\'.z=2\n'
    places = locate(text)
    assert places[("t",)] == _same_place(_span(1, 2, 3))
    assert places[("t", "u")] == _same_place(_span(1, 1, 6))
    assert places[("t", "u", "x", "y")] == Place(_span(2, 1, 4), _span(2, 7, 10))
    # The implied table `x` keeps the place of its first mention.
    assert places[("t", "u", "x")] == _same_place(_span(2, 1, 2))
    assert places[("t", "u", "x", "名 称")] == Place(_span(3, 1, 10), _span(3, 13, 14))
    assert places[("t", "u", "lit")] == _same_place(_span(4, 1, 6))
    assert places[("t", "u", "lit", "z")] == Place(_span(4, 1, 8), _span(4, 9, 10))


def test_escaped_key() -> None:
    places = locate('"a\\u00e9\\"b" = 1\n')
    assert places[('aé"b',)] == Place(_span(1, 1, 13), _span(1, 16, 17))


def test_explicit_header_replaces_implicit_parent() -> None:
    text = "[a.b.c]\nx = 1\n[a]\ny = 2\n"
    places = locate(text)
    assert places[("a", "b")] == _same_place(_span(1, 4, 5))
    assert places[("a",)] == _same_place(_span(3, 1, 4))


def test_arrays_of_tables_count_per_parent() -> None:
    text = "[[a]]\n[[a.b]]\n[[a]]\n[[a.b]]\n[[a.b]]\nk = 1\n"
    places = locate(text)
    assert places[("a",)] == _same_place(_span(1, 1, 6))
    assert places[("a", 0, "b")] == _same_place(_span(2, 1, 8))
    assert places[("a", 0, "b", 0)] == _same_place(_span(2, 1, 8))
    assert places[("a", 1)] == _same_place(_span(3, 1, 6))
    assert places[("a", 1, "b")] == _same_place(_span(4, 1, 8))
    assert places[("a", 1, "b", 1)] == _same_place(_span(5, 1, 8))
    assert places[("a", 1, "b", 1, "k")] == Place(_span(6, 1, 2), _span(6, 5, 6))
    _check_document(text)


def test_inline_tables() -> None:
    text = 'p = { name = "x", q.r = 2 }\ntasks = [{title="a"}, {title = "b"}]\n'
    places = locate(text)
    assert places[("p",)] == Place(_span(1, 1, 2), _span(1, 5, 28))
    assert places[("p", "name")] == Place(_span(1, 7, 11), _span(1, 14, 17))
    assert places[("p", "q")] == _same_place(_span(1, 19, 20))
    assert places[("p", "q", "r")] == Place(_span(1, 19, 22), _span(1, 25, 26))
    assert places[("tasks",)] == Place(_span(2, 1, 6), _span(2, 9, 37))
    assert places[("tasks", 0)] == _same_place(_span(2, 10, 21))
    assert places[("tasks", 0, "title")] == Place(_span(2, 11, 16), _span(2, 17, 20))
    assert places[("tasks", 1, "title")] == Place(_span(2, 24, 29), _span(2, 32, 35))
    assert places[("p", "q", "r")] != places[("p", "q")]
    _check_document(text)


def test_multiline_strings_shift_later_lines() -> None:
    text = (
        'a = """\n第一行 \\"quoted\\" ""\n  \\\n  end"""""\n'
        "b = '''\nraw ''\n'''  # note\n"
        'c = "x" # """ not a string\n'
        "d = 1979-05-27 07:32:00Z\n"
    )
    places = locate(text)
    assert places[("a",)] == Place(_span(1, 1, 2), _span(1, 5, 11, 4))
    assert places[("b",)] == Place(_span(5, 1, 2), _span(5, 5, 4, 7))
    assert places[("c",)] == Place(_span(8, 1, 2), _span(8, 5, 8))
    assert places[("d",)] == Place(_span(9, 1, 2), _span(9, 5, 25))
    _check_document(text)


def test_empty_and_nested_arrays() -> None:
    text = "e = []\nn = [ [1, [2]], [], # c\n  {}, ]\n"
    places = locate(text)
    assert places[("e",)] == Place(_span(1, 1, 2), _span(1, 5, 7))
    assert places[("n", 0, 1, 0)] == _same_place(_span(2, 12, 13))
    assert places[("n", 1)] == _same_place(_span(2, 17, 19))
    assert places[("n", 2)] == _same_place(_span(3, 3, 5))
    assert places[("n",)].value == _span(2, 5, 8, 3)
    _check_document(text)


def test_empty_document() -> None:
    assert locate("") == {}
    assert locate("# only a comment\r\n\n") == {}


@pytest.mark.parametrize(
    "text",
    [
        "a",
        "a =",
        "a = 1 b = 2",
        "= 1",
        "[a",
        "[[a]",
        "a = [1 2]",
        "a = [1,,]",
        "a = {b = 1 c = 2}",
        'a = "unterminated',
        'a = """unterminated',
        "a = '''unterminated",
        'a = """""""""',  # nine quotes: the ninth is left over
        '"\\q" = 1',
        '"\\UFFFFFFFF" = 1',
        "a = 1\rb = 2",
        "a = @",
    ],
)
def test_invalid_input_raises_value_error(text: str) -> None:
    with pytest.raises(ValueError, match=r"^line \d+, column \d+: "):
        locate(text)


@pytest.mark.parametrize(
    "text",
    [
        "a = " + "[" * 5000 + "]" * 5000,
        "a = " + "{b=" * 5000 + "1" + "}" * 5000,
        "a = " + "[" * 5000,
        ".".join(["a"] * 5000) + " = 1",
        "[" + ".".join(["a"] * 5000) + "]",
    ],
)
def test_deep_nesting_never_recurses(text: str) -> None:
    with pytest.raises(ValueError, match="too deeply"):
        locate(text)


def test_nesting_tomllib_can_parse_is_located() -> None:
    text = "a = " + "[" * 200 + "1" + "]" * 200
    assert locate(text)[("a", *[0] * 200)].value == _span(1, 205, 206)


_PIECES = ["[", "]", "{", "}", '"', "'", "=", ".", ",", "#", "\n", "\r\n", " ", "a", "1", "\\"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40))
def test_arbitrary_text_only_raises_value_error(pieces: list[str]) -> None:
    text = "".join(pieces)
    try:
        locate(text)
        tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError):
        return  # ValueError is the only way to fail; leniency on invalid TOML is fine
    _check_document(text)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, len(UNIT) - 1), st.integers(0, 3), st.sampled_from(_PIECES))
def test_mutated_unit_file(start: int, length: int, insert: str) -> None:
    text = UNIT[:start] + insert + UNIT[start + length :]
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        with contextlib.suppress(ValueError):
            locate(text)
        return
    _check_document(text)
