"""A dotted key of too many parts, refused before any parser sees it.

tomllib's work for a dotted key grows with the square of its parts (30,000 parts took
minutes and gigabytes). Unit files use keys of at most four parts (study.tasks.title),
so a longer one is a mistake.
"""

from __future__ import annotations

import re

from checklist.rules.registry import Finding

MAX_KEY_PARTS = 10
# Tokens of that screen: strings and comments whole (their dots are text), the characters
# that end a key, dots, and runs of anything else. Possessive, so each is linear.
_SCREEN = re.compile(
    r'"""(?:[^"\\]++|\\[\s\S]|""?+(?!"))*+(?:"{3,5}|\Z)'
    r"|'''(?:[^']++|''?+(?!'))*+(?:'{3,5}|\Z)"
    r'|"(?:[^"\\\n]++|\\.)*+"?+'
    r"|'[^'\n]*+'?+"
    r"|#[^\n]*+"
    r"|[=\n\[\]{},]"
    r"|\."
    r"|[^\"'#=\n\[\]{},.]++"
)


def long_key(text: str) -> Finding | None:
    """The first dotted key whose parts would cost a parser their square, if any."""
    if text.count(".") < MAX_KEY_PARTS or not _dotted_line(text):
        return None
    dots, start, value = 0, 0, False
    for token in _SCREEN.finditer(text):
        first = token.group()[0]
        if first == ".":
            dots += 1
            # Dots in a value (1.1.1.1…) are a syntax error the parser finds in linear time.
            if dots >= MAX_KEY_PARTS and not value:
                return _long_key(text, start)
        elif first in "=\n[]{},":
            dots, start = 0, token.end()
            # After "=" comes a value; a line, an inline table or its next pair start a key.
            value = first == "=" or (value and first in "[]")
        elif not dots and not token.group().isspace():
            start = token.start()
    return None


def _dotted_line(text: str) -> bool:
    """Whether a line holds MAX_KEY_PARTS dots: as many dots with no line break between."""
    run = 0
    for between in text.split(".")[1:-1]:  # a list as long as the dots, not the lines
        run = 0 if "\n" in between else run + 1
        if run >= MAX_KEY_PARTS - 1:
            return True
    return False


def _long_key(text: str, start: int) -> Finding:
    start += len(text[start:]) - len(text[start:].lstrip(" \t"))
    line_start = text.rfind("\n", 0, start) + 1
    return Finding(
        "E101",
        f"unknown key of more than {MAX_KEY_PARTS} dotted parts",
        line=text.count("\n", 0, start) + 1,
        column=start - line_start + 1,
        hint="keys of unit files have at most four parts, like study.tasks; remove this one",
        zh=f"不认识的名称:用点连起来超过了 {MAX_KEY_PARTS} 段",
        zh_hint="单位清单里的名称最多四段,如 study.tasks;请删掉这一项",
    )
