"""Rendering: the only layer that imports rich, and only when it renders."""

from __future__ import annotations

import codecs
import contextlib
import io
import os
import sys
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

# The error handler stdout and stderr use for characters their encoding lacks.
ESCAPE = "checklist-escape"


def console(file: IO[str] | None = None, *, stderr: bool = False) -> Console:
    """A console that styles only a terminal, honours NO_COLOR, and never reads markup.

    Without a file it writes to whatever sys.stdout (or sys.stderr) is when it
    writes: the streams ``tolerate_any_text`` made safe for every character.
    """
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


def plain_stream(file: IO[str] | None = None) -> IO[str] | None:
    """The stream (stdout by default) if rich would judge it no terminal, else None.

    A pipe or cron gets plain text, for which rich is not even imported; anything rich
    might call a terminal (a tty, FORCE_COLOR, TTY_COMPATIBLE) is left to rich to judge.
    """
    if os.environ.get("FORCE_COLOR") is not None or os.environ.get("TTY_COMPATIBLE"):
        return None
    stream = sys.stdout if file is None else file
    try:
        return None if stream.isatty() else stream
    except (AttributeError, ValueError):  # no isatty, or closed: rich says no terminal too
        return stream


def tolerate_any_text() -> None:
    """Make stdout and stderr write every character, escaping what their encoding lacks.

    Under a GBK, Latin-1 or ASCII locale a ✅ or a 𠮷 would otherwise end the
    command with UnicodeEncodeError. One setting on the two streams covers every
    command and every format, rich's consoles included (they write to these streams).
    """
    codecs.register_error(ESCAPE, _escape)
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            with contextlib.suppress(OSError, ValueError):  # closed, or a broken pipe already
                stream.reconfigure(errors=ESCAPE)


def _escape(error: UnicodeError) -> tuple[str, int]:
    r"""A character the encoding lacks as \uXXXX (two, a surrogate pair, above U+FFFF).

    JSON's own escape: inside JSON strings it decodes to the very character, so
    JSON output stays valid and loses nothing; elsewhere it still says which
    character it was. (Python's backslashreplace writes \U0002xxxx, invalid JSON.)
    """
    if not isinstance(error, UnicodeEncodeError):
        raise error
    out = []
    for char in error.object[error.start : error.end]:
        code = ord(char)
        if code > 0xFFFF:
            code -= 0x10000
            out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
        else:
            out.append(f"\\u{code:04x}")
    return "".join(out), error.end


def discard_output() -> None:
    """Point stdout (and a broken stderr) at the null device, after a reader closed its pipe.

    Python flushes both streams once more on the way out; into a closed pipe that
    prints "Exception ignored … BrokenPipeError" and changes the exit code to 120.
    """
    streams = [sys.stdout]
    try:
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):
        streams.append(sys.stderr)
    for stream in streams:
        with contextlib.suppress(OSError, ValueError, AttributeError, io.UnsupportedOperation):
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, stream.fileno())
            os.close(null)
