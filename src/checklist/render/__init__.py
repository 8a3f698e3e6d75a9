"""Rendering: the only layer that imports rich, and only when it renders."""

from __future__ import annotations

import os
import unicodedata
from typing import IO, TYPE_CHECKING

from checklist.load.source import BIDI_CONTROLS

if TYPE_CHECKING:
    from rich.console import Console


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


def console(file: IO[str] | None = None, *, stderr: bool = False) -> Console:
    """A console that styles only a terminal, honours NO_COLOR, and never reads markup."""
    from rich.console import Console

    # rich keeps bold and underline under NO_COLOR; asking for plain means no escapes at all.
    plain = bool(os.environ.get("NO_COLOR"))
    return Console(
        file=file,
        stderr=stderr,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=True,
        color_system=None if plain else "auto",
    )
