"""Carry an edit made by tomlkit into the original bytes, and nothing else.

tomlkit keeps most layouts, but not all: it writes new lines with \\n into CRLF
files, re-renders inline tables it did not need to touch, and can move a line of
dotted keys. So its text is not written as is. Only the lines it changed are
taken from it, with the line endings of the lines around them; and a change that
does not change what the file means (layout only) is undone, line by line and
then character by character. What remains is the edit itself.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Callable
from typing import Any

_LINE = re.compile(r"[^\n]*\n|[^\n]+")
_MAX_TRIES = 64  # parses spent undoing layout changes; an edit needs a handful
_BUDGET = 16 << 20  # characters parsed in all, so that a 1 MiB file takes seconds, not minutes
_MAX_REFINE = 10_000  # characters of a line compared character by character
Hunk = tuple[int, int, list[str]]  # old lines [i1, i2) become these lines


class LayoutError(Exception):
    """The edit cannot be made without changing lines it does not concern."""


def splice(before: str, after: str) -> str:
    """``before`` with those of the changes that turn it into ``after`` that change its meaning.

    ``after`` is tomlkit's rendering of the edited document; the result reads as
    the same TOML as ``after`` (LayoutError if it cannot be made to).
    """
    meaning = _meaning(after)
    if meaning is None:
        raise LayoutError("the edited text does not parse")
    old, new = _LINE.findall(before), _LINE.findall(after)
    tries = [max(8, min(_MAX_TRIES, _BUDGET // max(len(before), 1)))]

    def same(hunks: list[Hunk]) -> bool:
        if tries[0] <= 0:
            raise LayoutError("too many changes to sort out")
        tries[0] -= 1
        return _meaning(_join(old, hunks, before)) == meaning

    hunks: list[Hunk] = []
    for i1, i2, j1, j2 in _changes(_bare(old), _bare(new)):
        for p1, p2, lines in _in_place(old, i1, i2, new[j1:j2]):
            hunks.append((p1, p2, [_ending(line, old, p1, p2, k) for k, line in enumerate(lines)]))
    kept: list[Hunk] = []
    for index, (i1, i2, taken) in enumerate(hunks):
        later = hunks[index + 1 :]
        if same([*kept, *later]):
            continue  # layout only: keep the original lines
        lines = taken
        if i2 - i1 == len(lines) == 1 and len(lines[0]) <= _MAX_REFINE:

            def keeps_meaning(
                line: str, i1: int = i1, i2: int = i2, later: list[Hunk] = later
            ) -> bool:
                return same([*kept, (i1, i2, [line]), *later])

            line = lines[0]
            for _ in range(3):  # undoing one change can leave the rest one stretch
                line, before_pass = _refine(old[i1], line, keeps_meaning), line
                if line == before_pass:
                    break
            lines = [line]
        kept.append((i1, i2, lines))
    result = _join(old, kept, before)
    if _meaning(result) != meaning:
        raise LayoutError("the edit changes the layout of the lines around it")
    return result


def _in_place(old: list[str], i1: int, i2: int, lines: list[str]) -> list[Hunk]:
    """A hunk as parts that can each be kept or undone: a line that differs from an old
    one only in its spaces is paired with it, to be compared on its own."""
    if i2 - i1 == len(lines):
        return [(i, i + 1, [line]) for i, line in zip(range(i1, i2), lines, strict=True)]
    matcher = difflib.SequenceMatcher(
        a=[_SPACE.sub("", line) for line in old[i1:i2]],
        b=[_SPACE.sub("", line) for line in lines],
        autojunk=False,
    )
    parts: list[Hunk] = []
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        if tag == "equal":
            parts += [(i1 + a1 + t, i1 + a1 + t + 1, [lines[b1 + t]]) for t in range(a2 - a1)]
        else:
            parts += _moved_back(old, i1 + a1, i1 + a2, lines[b1:b2])
    return parts


def _moved_back(old: list[str], i1: int, i2: int, lines: list[str]) -> list[Hunk]:
    """Lines of keys that became more lines: each key that tomlkit wrote again (a dotted
    key it moved to the end) goes back to the place of the line it replaces, and the
    new keys come right after them."""
    if i2 - i1 == len(lines):
        return [(i, i + 1, [line]) for i, line in zip(range(i1, i2), lines, strict=True)]
    keys = [_key(line) for line in lines]
    was = [_key(line) for line in old[i1:i2]]
    if not was or None in was or not all(k in keys for k in was):
        return [(i1, i2, lines)]
    moved = [keys.index(k) for k in was]
    added = [line for n, line in enumerate(lines) if n not in moved]
    return [(i1 + t, i1 + t + 1, [lines[n]]) for t, n in enumerate(moved)] + [(i2, i2, added)]


_SPACE = re.compile(r"\s+")
_KEY_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.\"'")


def _key(line: str) -> str | None:
    """The key a line of ``key = value`` sets, spaces taken out; None for other lines.

    No regex: the one this was (spaces, then a lazy key that may hold spaces, then spaces)
    took the cube of a run of spaces without "=" (8,000 spaces: two minutes).
    """
    key, equals, _ = line.partition("=")
    if not equals or not key or not all(c in _KEY_CHARACTERS or c.isspace() for c in key):
        return None
    return "".join(key.split())


def _changes(old: list[str], new: list[str]) -> list[tuple[int, int, int, int]]:
    """Where ``old`` and ``new`` differ, as (i1, i2, j1, j2); the common ends are skipped
    first, since an edit touches a few lines of a file that may have thousands."""
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = 0
    while end < min(len(old), len(new)) - start and old[-1 - end] == new[-1 - end]:
        end += 1
    matcher = difflib.SequenceMatcher(
        a=old[start : len(old) - end], b=new[start : len(new) - end], autojunk=False
    )
    return [
        (i1 + start, i2 + start, j1 + start, j2 + start)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]


def _refine(old: str, new: str, keeps_meaning: Callable[[str], bool]) -> str:
    """``new``, with the character changes that only change layout turned back.

    First the changed stretch as a whole, then each change in it: where tomlkit
    replaced text, the old text may go back, go away, or stay beside the new (an
    entry added to ``[ 1 ]`` goes before the space that ends it).
    """

    def fits(line: str) -> bool:  # and leaves no space at the end of the line
        bare = line.rstrip("\r\n")
        return (bare == bare.rstrip() or old.rstrip("\r\n") != old.rstrip()) and keeps_meaning(line)

    start = _common(old, new)
    end = _common(old[start:][::-1], new[start:][::-1])
    head, was, now = new[:start], old[start : len(old) - end], new[start : len(new) - end]
    tail = new[len(new) - end :]
    for candidate in _candidates(was, now):
        if fits(head + candidate + tail):
            return head + candidate + tail
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    pieces = [(old[i1:i2], new[j1:j2]) for _, i1, i2, j1, j2 in matcher.get_opcodes()]
    for index, (was, now) in enumerate(pieces):
        for candidate in _candidates(was, now):
            trial = [*pieces[:index], (was, candidate), *pieces[index + 1 :]]
            if fits("".join(piece[1] for piece in trial)):
                pieces = trial
                break
    return "".join(piece[1] for piece in pieces)


def _common(a: str, b: str) -> int:
    """How many characters ``a`` and ``b`` share at their start."""
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def _candidates(was: str, now: str) -> list[str]:
    """What could stand where ``was`` became ``now``, closest to ``was`` first: ``was``
    itself, nothing, both, or ``now`` in the spaces that were around ``was``."""
    if was == now:
        return []
    lead, trail = was[: len(was) - len(was.lstrip())], was[len(was.rstrip()) :]
    found: list[str] = []
    for candidate in (was, "", now + was, was + now, lead + now + trail, now + trail, lead + now):
        if candidate != now and candidate not in found:
            found.append(candidate)
    return found


def _bare(lines: list[str]) -> list[str]:
    return [line.rstrip("\r\n") for line in lines]


def _ending(line: str, old: list[str], i1: int, i2: int, k: int) -> str:
    """A new line, with the ending of the line it replaces or else of the line above it."""
    if not line.endswith("\n"):
        return line
    if i1 + k < i2:
        near = old[i1 + k]
    elif i2 > 0:
        near = old[i2 - 1]
    else:
        near = old[0] if old else ""
    if not near.endswith("\n"):  # the last line, without one: the file's first ending
        near = next((o for o in old if o.endswith("\n")), "\n")
    return line.rstrip("\r\n") + ("\r\n" if near.endswith("\r\n") else "\n")


def _join(old: list[str], hunks: list[Hunk], before: str) -> str:
    """The old lines with the hunks put in; every line but the last ends with a newline."""
    out: list[str] = []
    position = 0
    for i1, i2, lines in sorted(hunks, key=lambda hunk: (hunk[0], hunk[1])):
        out += old[position:i1]
        out += lines
        position = i2
    out += old[position:]
    eol = "\r\n" if old and old[0].endswith("\r\n") else "\n"
    for index in range(len(out) - 1):
        if not out[index].endswith("\n"):
            out[index] += eol
    text = "".join(out)
    if not before.endswith("\n") and text.endswith("\n"):
        text = text.removesuffix("\n").removesuffix("\r")
    return text


def _meaning(text: str) -> dict[str, Any] | None:
    """What TOML text says; floats as written, so that nan equals nan."""
    try:
        return tomllib.loads(text, parse_float=str)
    except tomllib.TOMLDecodeError:
        return None
