"""Find where each key and value of a TOML document is written.

`tomllib` is fast but forgets source positions, so the validator parses every file with it
and calls `locate` only for files with problems, to point at the exact line of a mistake.
The input is normally text `tomllib` has already accepted, so this pass checks structure
only as far as it needs to; anything it cannot follow raises `ValueError`.

Tokens are matched with compiled regexes (per-character Python loops are several times
slower), and nested arrays and inline tables use an explicit stack instead of recursion
so that deep nesting cannot raise `RecursionError`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

__all__ = ["Path", "Place", "Span", "locate"]


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of source text; lines and columns are 1-based, columns count code points."""

    line: int
    column: int
    end_line: int
    end_column: int  # exclusive: the column just after the last character


@dataclass(frozen=True, slots=True)
class Place:
    """Where a key (or table header) and its value are written."""

    key: Span
    value: Span  # for a table header, the header itself, e.g. `[[study.tasks]]`


Path = tuple[str | int, ...]

# Longer key paths (deeper nesting) are refused: every prefix of a path is stored as its
# own tuple, so the cost grows with the square of the depth. `tomllib` itself recurses
# and cannot parse arrays nested anywhere near this deep.
_MAX_DEPTH = 1000

_WS = re.compile(r"[ \t]*+")
_WS_NL = re.compile(r"(?:[ \t\r\n]++|#[^\n]*+)*+")  # whitespace, newlines and comments
_LINE_END = re.compile(r"[ \t]*+(?:#[^\n]*+)?+(?:\r?\n|\Z)")
# After an item of an array or inline table: up to the next item or the closing bracket.
_ITEM_END = re.compile(rf"{_WS_NL.pattern}(,{_WS_NL.pattern})?+")
# One part of a dotted key, then whitespace and the dot before the next part, if any.
_KEY = re.compile(
    r"""(?:([A-Za-z0-9_-]++)|("(?:[^"\\\n]++|\\.)*+")|('[^'\n]*+'))[ \t]*+(\.[ \t]*+)?+"""
)
# Possessive quantifiers keep a missing closing quote from backtracking for ages.
_VALUE = re.compile(
    r'"""(?:[^"\\]++|\\[\s\S]|""?+(?!"))*+"{3,5}'  # up to two quotes may end the body
    r"|'''(?:[^']++|''?+(?!'))*+'{3,5}"
    r'|"(?:[^"\\\n]++|\\.)*+"'
    r"|'[^'\n]*+'"
    r"|[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9:.+Zz-]++"  # a space may separate date and time
    r"|[+-]?+(?:inf|nan)|true|false"
    r"|[+-]?+[0-9][0-9A-Za-z_+.:-]*+"  # numbers, dates, times
)
# The common `key = scalar` line in one match, up to the start of the next statement; the
# atomic group stops it from settling for a shorter value than `_VALUE` alone would take.
_SIMPLE_ENTRY = re.compile(
    rf"([A-Za-z0-9_-]++)[ \t]*+=[ \t]*+((?>{_VALUE.pattern})){_LINE_END.pattern}{_WS_NL.pattern}"
)
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|x([0-9A-Fa-f]{2})|(.))")
_SIMPLE_ESCAPES = {
    "b": "\b",
    "t": "\t",
    "n": "\n",
    "f": "\f",
    "r": "\r",
    "e": "\x1b",
    '"': '"',
    "\\": "\\",
}


def locate(text: str) -> dict[Path, Place]:
    """Map every key path of a valid TOML document to where it is written.

    Paths are those of the dict `tomllib.loads(text)` returns, array indexes included.
    Raises `ValueError` on text whose structure it cannot follow.
    """
    return _Locator(text).document()


def _skip(pattern: re.Pattern[str], text: str, pos: int) -> int:
    """Offset after `pattern`, which can match the empty string, at `pos`."""
    m = pattern.match(text, pos)
    return m.end() if m else pos


def _unescape(raw: str) -> str:
    """The text of a basic-string key; raises `ValueError` on a bad escape."""

    def replace(m: re.Match[str]) -> str:
        if m.lastindex == 4:
            try:
                return _SIMPLE_ESCAPES[m[4]]
            except KeyError:
                raise ValueError(f"invalid escape \\{m[4]}") from None
        code = int(m[m.lastindex or 0], 16)
        if code > 0x10FFFF:  # chr() raises OverflowError, not ValueError, from 2**31 up
            raise ValueError(f"invalid escape {m[0]}")
        return chr(code)

    return _ESCAPE.sub(replace, raw) if "\\" in raw else raw


@dataclass(slots=True)
class _Open:
    """An array or inline table whose closing bracket is still ahead."""

    path: Path
    key: Span | None  # None for array elements: their key span is the value span
    start: int
    is_array: bool
    count: int = 0


_Keys = list[tuple[str, int, int]]  # (key, start offset, end offset) per dotted part


class _Locator:
    __slots__ = ("arrays", "line_starts", "places", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.places: dict[Path, Place] = {}
        # Number of `[[…]]` headers seen so far per array-of-tables path.
        self.arrays: dict[Path, int] = {}
        self.line_starts = [0]
        find = text.find
        i = find("\n")
        while i >= 0:
            self.line_starts.append(i + 1)
            i = find("\n", i + 1)

    def span(self, start: int, end: int) -> Span:
        starts = self.line_starts
        line = bisect_right(starts, start)
        end_line = line
        if line < len(starts) and end > starts[line]:  # rare: only multi-line values
            end_line = bisect_right(starts, end - 1)
        return Span(line, start - starts[line - 1] + 1, end_line, end - starts[end_line - 1] + 1)

    def where(self, pos: int) -> str:
        line = bisect_right(self.line_starts, pos)
        return f"line {line}, column {pos - self.line_starts[line - 1] + 1}"

    def document(self) -> dict[Path, Place]:
        text = self.text
        table: Path = ()
        pos = _skip(_WS_NL, text, 0)
        simple_entry = _SIMPLE_ENTRY.match
        while pos < len(text):
            m = simple_entry(text, pos)
            if m is not None:
                key, value = self.span(m.start(1), m.end(1)), self.span(m.start(2), m.end(2))
                self.places[(*table, m[1])] = Place(key, value)
                pos = m.end()
                continue
            if text[pos] == "[":
                table, pos = self.header(pos)
            else:
                pos = self.key_value(pos, table)
            m = _LINE_END.match(text, pos)
            if m is None:
                raise ValueError(f"{self.where(pos)}: expected the end of the line")
            pos = _skip(_WS_NL, text, m.end())
        return self.places

    def keys(self, pos: int) -> tuple[_Keys, int]:
        """Read a dotted key; return its parts and the offset after it and its whitespace."""
        text = self.text
        parts: _Keys = []
        while True:
            m = _KEY.match(text, pos)
            if m is None:
                raise ValueError(f"{self.where(pos)}: expected a key")
            if m[1] is not None:
                key, end = m[1], m.end(1)
            elif m[2] is not None:
                try:
                    key, end = _unescape(m[2][1:-1]), m.end(2)
                except ValueError as error:
                    raise ValueError(f"{self.where(pos)}: {error}") from None
            else:
                key, end = m[3][1:-1], m.end(3)
            parts.append((key, pos, end))
            if len(parts) > _MAX_DEPTH:
                raise ValueError(f"{self.where(pos)}: key nested too deeply")
            pos = m.end()
            if m[4] is None:
                return parts, pos

    def header(self, start: int) -> tuple[Path, int]:
        """Read a `[table]` or `[[array.of.tables]]` header; return its path and end."""
        text = self.text
        places = self.places
        is_array = text.startswith("[[", start)
        parts, pos = self.keys(_skip(_WS, text, start + 1 + is_array))
        closer = "]]" if is_array else "]"
        if not text.startswith(closer, pos):
            raise ValueError(f"{self.where(pos)}: expected {closer!r}")
        pos += len(closer)
        whole = self.span(start, pos)
        path: Path = ()
        for key, key_start, key_end in parts[:-1]:
            path += (key,)
            if path not in places:
                implicit = self.span(key_start, key_end)
                places[path] = Place(implicit, implicit)
            count = self.arrays.get(path)
            if count is not None:  # headers extend the latest table of an array
                path += (count - 1,)
        path += (parts[-1][0],)
        if is_array:
            count = self.arrays.get(path, 0)
            self.arrays[path] = count + 1
            if path not in places:
                places[path] = Place(whole, whole)
            path += (count,)
        # Overwrites the span an implicit parent got from an earlier, deeper header.
        places[path] = Place(whole, whole)
        return path, pos

    def dotted(self, parts: _Keys, table: Path) -> tuple[Path, Span]:
        """Record the tables a dotted key implies; return its full path and key span."""
        places = self.places
        path = table
        for key, key_start, key_end in parts[:-1]:
            path += (key,)
            if path not in places:
                implicit = self.span(key_start, key_end)
                places[path] = Place(implicit, implicit)
        return (*path, parts[-1][0]), self.span(parts[0][1], parts[-1][2])

    def key_value(self, pos: int, table: Path) -> int:
        text = self.text
        parts, pos = self.keys(pos)
        if not text.startswith("=", pos):
            raise ValueError(f"{self.where(pos)}: expected '='")
        path, key = self.dotted(parts, table)
        return self.value(_skip(_WS, text, pos + 1), path, key)

    def value(self, pos: int, path: Path, key: Span | None) -> int:
        """Record the value at `pos` and everything nested in it; return the end offset."""
        text = self.text
        places = self.places
        stack: list[_Open] = []
        while True:
            # A value for `path` starts at `pos`.
            if len(path) > _MAX_DEPTH:
                raise ValueError(f"{self.where(pos)}: value nested too deeply")
            char = text[pos : pos + 1]
            if char in ("[", "{"):
                stack.append(_Open(path, key, pos, char == "["))
                pos += 1
                after_item = False
            else:
                m = _VALUE.match(text, pos)
                if m is None:
                    raise ValueError(f"{self.where(pos)}: expected a value")
                value = self.span(pos, m.end())
                places[path] = Place(key or value, value)
                pos = m.end()
                after_item = True
            # Close finished containers until the next value starts, or none are open.
            while True:
                if not stack:
                    return pos
                top = stack[-1]
                closer = "]" if top.is_array else "}"
                # Newlines and comments are skipped in inline tables too: TOML 1.1 allows
                # them and valid 1.0 text has none, so this costs nothing.
                if after_item:
                    m = _ITEM_END.match(text, pos)
                    if m is None or (m[1] is None and not text.startswith(closer, m.end())):
                        raise ValueError(f"{self.where(pos)}: expected ',' or {closer!r}")
                    pos = m.end()
                else:
                    pos = _skip(_WS_NL, text, pos)
                if text.startswith(closer, pos):
                    pos += 1
                    stack.pop()
                    value = self.span(top.start, pos)
                    places[top.path] = Place(top.key or value, value)
                    after_item = True
                    continue
                if top.is_array:
                    path, key = (*top.path, top.count), None
                    top.count += 1
                else:
                    parts, pos = self.keys(pos)
                    if not text.startswith("=", pos):
                        raise ValueError(f"{self.where(pos)}: expected '='")
                    path, key = self.dotted(parts, top.path)
                    pos = _skip(_WS, text, pos + 1)
                break
