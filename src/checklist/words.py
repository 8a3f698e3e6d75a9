"""Text safety and phrasing any layer may use: hidden characters, quoting, guesses.

Text from a file is made safe for a terminal (printable) or Markdown (markdown_text);
messages quote it (quote) and guess what a typo meant (did_you_mean).

Characters that hide in text are found in any TOML document, named by code point.
Two kinds, two severities (docs/rules.md, E204 and W406):

- Characters that change how the text around them is shown: control
  characters, bidi controls, line and paragraph separators. An error anywhere.
- Characters that show nothing at all: Unicode's format characters (zero-width
  space and joiners, word joiner, byte-order mark, soft hyphen, tag
  characters) and the few others that draw nothing (variation selectors,
  fillers). "张\u200b伟" looks like 张伟 but is another name, so they are an
  error in text that names or identifies something (names, owners, contacts,
  ids, counties, addresses, keys) and a warning in free text (titles, notes,
  reasons), where emoji sequences use joiners and selectors on purpose.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from checklist.rules.registry import Finding, KeyPath

# Bidi controls make a line read differently from what it holds.
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
LINE_SEPARATORS = frozenset("\u2028\u2029")  # Zl, Zp: str.splitlines breaks at them

# Unicode 14's format characters (category Cf, bidi controls aside), then those that
# draw nothing in other categories. tests/test_hidden.py checks the first list against
# unicodedata, so a newer Unicode cannot add one unnoticed.
_FORMAT_RANGES = (
    (0x00AD, 0x00AD),
    (0x0600, 0x0605),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x180E, 0x180E),
    (0x200B, 0x200D),
    (0x2060, 0x2064),
    (0x206A, 0x206F),
    (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x13438),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
)
_BLANK_RANGES = (
    (0x034F, 0x034F),  # combining grapheme joiner
    (0x115F, 0x1160),  # Hangul fillers
    (0x17B4, 0x17B5),  # Khmer inherent vowels
    (0x180B, 0x180D),  # Mongolian variation selectors
    (0x180F, 0x180F),
    (0x3164, 0x3164),  # Hangul filler
    (0xFE00, 0xFE0F),  # variation selectors
    (0xFFA0, 0xFFA0),  # halfwidth Hangul filler
    (0xE0100, 0xE01EF),  # variation selectors supplement
)
INVISIBLE = frozenset(
    chr(code)
    for first, last in (*_FORMAT_RANGES, *_BLANK_RANGES)
    for code in range(first, last + 1)
)


def _class(ranges: tuple[tuple[int, int], ...]) -> str:
    return "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    )


# Controls (tab, line feed and carriage return aside) and bidirectional marks.
_CONTROLS: tuple[tuple[int, int], ...] = ((0x00, 0x09), (0x0B, 0x0C), (0x0E, 0x1F), (0x7F, 0x9F))
_CONTROLS += ((0x061C, 0x061C), (0x200E, 0x200F), (0x2028, 0x202E), (0x2066, 0x2069))
# Any character of either kind; a text without one needs no closer look.
SCREEN = re.compile("[" + _class(_CONTROLS + _FORMAT_RANGES + _BLANK_RANGES) + "]")
# SCREEN's characters below U+10000, in order, and every one above: a wider class, but
# one that a regex tests against a table (SCREEN's scattered ranges above U+FFFF keep it
# from that), four times faster. A text it finds nothing in has nothing SCREEN would find.
SCREEN_WIDE = re.compile(
    "["
    + _class(tuple(sorted(r for r in _CONTROLS + _FORMAT_RANGES + _BLANK_RANGES if r[1] < 0x10000)))
    + "\U00010000-\U0010ffff]"
)


def find_hidden(text: str, *, multiline: bool, names: bool) -> tuple[str, bool] | None:
    """The first character that should not be in ``text``, and whether it is an error.

    ``multiline`` allows newlines and tabs; ``names`` says the text names something.
    """
    soft = None
    if multiline:  # a CRLF file's multi-line string keeps its line ends: CR LF is one break
        text = text.replace("\r\n", "\n")
    for char in text:
        if char in "\n\t" and multiline:
            continue
        if char in BIDI_CONTROLS or char in LINE_SEPARATORS or unicodedata.category(char) == "Cc":
            return char, True
        if char in INVISIBLE:
            if names:
                return char, True
            soft = soft or char
    return (soft, False) if soft else None


def describe(char: str) -> str:
    """U+200B (ZERO WIDTH SPACE): the code point and its name, as messages give it."""
    return f"U+{ord(char):04X} ({unicodedata.name(char, 'control character')})"


# What a clerk may call the hidden characters met most often.
_NAMES_ZH = {
    "\t": "制表符 Tab",
    "\n": "换行",
    "\r": "回车符",
    "\x1b": "转义符 ESC",
    "\x00": "空字符",
    "\x7f": "删除符",
    "\u00ad": "软连字符",
    "\u200b": "零宽空格",
    "\u200c": "零宽不连字",
    "\u200d": "零宽连字",
    "\u200e": "从左到右标记",
    "\u200f": "从右到左标记",
    "\u2028": "行分隔符",
    "\u2029": "段落分隔符",
    "\u2060": "零宽不换行符",
    "\u3164": "韩文填充字符",
    "\ufeff": "字节顺序标记 BOM",
}


def describe_zh(char: str) -> str:
    """``describe`` for a clerk: U+200B(零宽空格)."""
    name = _NAMES_ZH.get(char)
    if name is None:
        if char in BIDI_CONTROLS:
            name = "文字方向控制符"
        elif unicodedata.category(char) == "Cc":
            name = "控制字符"
        elif "VARIATION SELECTOR" in unicodedata.name(char, ""):
            name = "变体选择符"
        else:
            name = unicodedata.name(char, "看不见的字符")
    return f"U+{ord(char):04X}({name})"


def strings(value: Any, path: KeyPath = ()) -> Iterator[tuple[KeyPath, str, bool]]:
    """Every string in a document, with its path and whether it is a key."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*path, key), key, True
            yield from strings(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from strings(item, (*path, i))
    elif isinstance(value, str):
        yield path, value, False


def hidden_finding(
    path: KeyPath, text: str, *, is_key: bool, multiline: bool, names: bool
) -> Finding | None:
    """E204 or W406 for a string holding a hidden character; None for a clean one."""
    found = find_hidden(text, multiline=multiline, names=names)
    if found is None:
        return None
    char, error = found
    name = str(path[-1]) if path and isinstance(path[-1], str) else "text"
    # It cannot be seen, so deleting it means typing the text again.
    retype = "(在编辑器里看不见它:把这段文字删掉,重新输入一遍即可)"
    if char not in INVISIBLE:
        hint = "delete it: invisible characters can disguise text in terminals and reports"
        zh_hint = f"删掉它:这种看不见的字符会让文字在终端和报表里显示得和实际内容不一样{retype}"
    elif error:
        hint = "delete it: it makes this look like another name or id that it is not"
        zh_hint = f"删掉它:它让这个名字或编号看起来和另一个一样,实际却不同{retype}"
    else:
        hint = "delete it, unless it belongs to an emoji"
        zh_hint = "删掉它,除非它是某个表情符号(emoji)的一部分"
    if is_key:
        where = "名称"
    elif path and isinstance(path[-1], str):
        where = f"{quote(name)[1:-1]} 的内容"
    else:
        where = "文字"
    return Finding(
        "E204" if error else "W406",
        f"{'key' if is_key else name} {quote(text)} contains the invisible character "
        f"{describe(char)}",
        path,
        on_value=not is_key,
        hint=hint,
        zh=f"{where} {quote(text)} 里有看不见的字符 {describe_zh(char)}",
        zh_hint=zh_hint,
    )


# Keys people write from the Chinese form they fill in, or from habit.
ALIASES = {
    "负责人": "owner",
    "责任人": "owner",
    "截止日期": "due",
    "截止": "due",
    "完成时间": "done",
    "完成": "done",
    "标题": "title",
    "名称": "name",
    "任务": "tasks",
    "联系人": "contact",
    "区县": "county",
    "层级": "level",
    "备注": "note",
    "deadline": "due",
    "due_date": "due",
    "completed": "done",
    "responsible": "owner",
    "task": "tasks",
    "repeats": "repeat",
    "recurrence": "repeat",
    "rrule": "repeat",
}


def did_you_mean(word: str, candidates: list[str]) -> str | None:
    """The candidate a typo most likely meant, if any is close."""
    if word in ALIASES and ALIASES[word] in candidates:
        return ALIASES[word]
    lowered = {c.lower(): c for c in candidates}
    if word.lower() in lowered:
        return lowered[word.lower()]
    close = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[close[0]] if close else None


def quote(text: str, limit: int = 40) -> str:
    """Quote text for a message: short, and with control characters made visible."""
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    escaped = "".join(c if c.isprintable() or c == " " else f"\\u{ord(c):04x}" for c in text)
    return f'"{escaped}"'


def printable(text: str) -> str:
    """Make text from a file safe for a terminal: no escapes, no bidi tricks, same width.

    Control characters become their visible control pictures (ESC → ␛), one
    cell each, so columns computed on the original text still line up.
    """
    if text.isprintable():
        return text
    out = []
    for char in text:
        code = ord(char)
        if char == "\t":
            out.append(" ")
        elif code < 0x20:
            out.append(chr(0x2400 + code))
        elif code == 0x7F:
            out.append("\u2421")
        elif char in BIDI_CONTROLS or unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp"):
            out.append("\ufffd")
        else:
            out.append(char)
    return "".join(out)


_MARKDOWN = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|#~"} | {"&": "&amp;"})


def markdown_text(text: str) -> str:
    """Text from a file, made safe for Markdown: shown as written, never as HTML or markup."""
    return printable(text).translate(_MARKDOWN)
