"""From bytes on disk to a TOML document, or a located finding saying why not."""

from __future__ import annotations

import calendar
import contextlib
import functools
import os
import re
import stat
import tomllib
from pathlib import Path
from typing import Any

from checklist.dates import days_in_month
from checklist.load.dotted import long_key
from checklist.load.source_zh import SAID, date_problem_zh, os_reason_zh, syntax_zh
from checklist.rules.registry import Finding

MAX_BYTES = 1 << 20
_BOM = "\ufeff"
BOM = _BOM.encode()  # what Windows Notepad's "UTF-8 with BOM" writes first
_AT = re.compile(r"\(at line (\d+), column (\d+)\)$")
_INK = re.compile(r"[^ \t\r\n]")  # found at once in a file that is not blank: no copy
_BARE_DATE = re.compile(r"(?<![\w\"'.-])(\d{4})-(\d{2})-(\d{2})(?![\w\"'])")


class SourceError(Exception):
    """The file could not be turned into a document; ``finding`` says where and why."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.message)
        self.finding = finding


def display(path: Path) -> str:
    """A path as the user should see it: relative to the working folder when below it."""
    absolute = path.absolute()
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(absolute)


def read(path: str | Path, *, within: Path | None = None) -> bytes:
    """Read a file, refusing what is not a regular file of sane size.

    Given ``within`` (the campaign folder), also refuse a link whose real path is outside
    it: a unit file linked to /proc/self/environ would otherwise be quoted in reports.
    Discovery has placed the folders above the file inside the campaign; what is checked
    here is what was opened, so a link swapped in since then cannot slip past.
    """
    try:
        fd = _open(path, within)
    except IsADirectoryError:
        raise SourceError(_unreadable("this is a folder, not a file")) from None
    except OSError as error:
        raise SourceError(_cannot_read(error, error.strerror or error)) from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise SourceError(_unreadable("this is a folder, not a file"))
        if not stat.S_ISREG(mode):
            raise SourceError(_unreadable("this is not a regular file (a FIFO, device or socket)"))
        chunks, size = [], 0
        while size <= MAX_BYTES and (chunk := os.read(fd, MAX_BYTES + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
        data = b"".join(chunks)
    except OSError as error:
        raise SourceError(_cannot_read(error, error.strerror)) from None
    finally:
        os.close(fd)
    if len(data) > MAX_BYTES:
        raise SourceError(
            Finding(
                "E004",
                f"the file is larger than {MAX_BYTES // 1024} KiB",
                line=1,
                column=1,
                hint="a unit file holds one unit's list; split or shorten it",
                zh=f"文件太大:超过了 {MAX_BYTES // 1024} KiB",
                zh_hint=SAID["a unit file holds one unit's list; split or shorten it"],
            )
        )
    return data


# Non-blocking, because opening a FIFO named *.toml would wait for a writer forever.
_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def _open(path: str | Path, within: Path | None) -> int:
    if within is None:
        return os.open(path, _FLAGS)
    if _NOFOLLOW:
        # Not a link, the common case: no need to ask where it really is.
        with contextlib.suppress(OSError):  # a link, or an error the next open says again
            return os.open(path, _FLAGS | _NOFOLLOW)
    fd = os.open(path, _FLAGS)
    try:
        _refuse_outside(fd, path, within)
    except SourceError:
        os.close(fd)
        raise
    return fd


def inside(real: str, folder: Path) -> bool:
    """Whether the real path ``real`` is ``folder`` or below it."""
    root = real_folder(str(folder))
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


@functools.lru_cache(maxsize=8)
def real_folder(folder: str) -> str:
    # One campaign folder, resolved once rather than for each of ten thousand files.
    return os.path.realpath(folder)


def _refuse_outside(fd: int, path: str | Path, within: Path) -> None:
    try:  # the path of what was opened; realpath would look again, after the fact
        real = os.readlink(f"/proc/self/fd/{fd}")  # noqa: PTH115 (Path costs twice as much)
    except OSError:  # no /proc (macOS, Windows): the path as it resolves now
        real = os.path.realpath(path)
    if not inside(real, within):
        raise SourceError(outside_finding(real, within))


def outside_finding(real: str, root: Path) -> Finding:
    """A file or folder refused, unread, because its real path is outside the campaign."""
    return Finding(
        "E007",
        f"its real path {real} is outside the campaign folder {root}",
        line=1,
        column=1,
        hint="keep unit files in the campaign folder, or pass --follow-outside "
        "if you trust where the link points",
        zh=f"它实际所在的位置 {real} 不在活动文件夹 {root} 里",
        zh_hint="把单位清单文件放进活动文件夹;如果信得过链接指向的地方,"
        "可以在命令后加上 --follow-outside",
    )


def _unreadable(message: str, zh: str = "") -> Finding:
    hint = "pass only unit files (*.toml), and check that you may read them"
    return _at_start("E001", message, hint, zh)


def _at_start(code: str, message: str, hint: str | None = None, zh: str = "") -> Finding:
    """A finding about the whole file; the Chinese of these fixed texts is SAID's."""
    zh, zh_hint = zh or SAID[message], SAID[hint] if hint else None
    return Finding(code, message, line=1, column=1, hint=hint, zh=zh, zh_hint=zh_hint)


def _cannot_read(error: OSError, reason: object) -> Finding:
    return _unreadable(f"cannot read the file: {reason}", f"打不开这个文件:{os_reason_zh(error)}")


def decode(data: bytes) -> str:
    """Decode UTF-8, tolerating the BOM that Windows editors add.

    A NUL byte anywhere makes the file binary (TOML text never holds one), and no line
    of a binary file is ever quoted: /proc/self/environ is valid UTF-8.
    """
    if b"\0" in data:
        raise SourceError(_binary(data))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SourceError(_decode_finding(data, error.start)) from None
    return text.removeprefix(_BOM)


def _decode_finding(data: bytes, offset: int) -> Finding:
    line = data.count(b"\n", 0, offset) + 1
    line_start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", "replace")) + 1
    hint = "save the file as UTF-8"
    try:
        data.decode("gb18030")
        hint = "the file looks like GBK/GB18030 (a common Windows default); save it as UTF-8"
    except UnicodeDecodeError:
        pass
    byte, zh_hint = f"0x{data[offset]:02X}", SAID[hint]
    message = f"byte {byte} is not valid UTF-8"
    zh = f"这里的字节 {byte} 不是 UTF-8 编码的文字:文件没有用 UTF-8 编码保存"
    return Finding("E002", message, line=line, column=column, hint=hint, zh=zh, zh_hint=zh_hint)


def _binary(data: bytes) -> Finding:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        message, hint = "the file is UTF-16, not UTF-8", "save it as UTF-8"
    else:
        message, hint = "the file is binary, not text", "unit files are UTF-8 TOML text"
    return _at_start("E002", message, hint)


def parse(text: str) -> dict[str, Any]:
    """Parse TOML, turning tomllib's message into a located finding."""
    if not _INK.search(text):  # TOML's whitespace only; str.isspace() would allow \f and \v too
        raise SourceError(_empty("the file is empty"))
    try:
        doc = loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SourceError(_syntax_finding(text, str(error))) from None
    except RecursionError:
        raise SourceError(_at_start("E005", "values are nested too deeply")) from None
    if not doc:
        raise SourceError(_empty("the file holds only comments"))
    return doc


# TOML 1.1 constructs that rtoml accepts and tomllib (TOML 1.0) does not: \e and \x
# escapes, times without seconds, newlines and trailing commas in inline tables, and a
# byte-order mark (decode strips the first; a second is an error). A file
# that might hold one goes to tomllib alone. The screen errs towards tomllib: "10:30" in
# a title costs speed, never correctness. tests/test_parser.py proves the two paths agree
# on every file of the toml-test corpus.
_ESCAPES_11 = re.compile(r"\\[ex]")
# A "{" that no "}" follows on its line. Written with [^}\n], the search retried from each
# "{" of a long run, to the "}" at its end: the square of the run's length.
_INLINE_11 = re.compile(r",\s*+\}|\{[^{}\n]*+$", re.MULTILINE)


def _maybe_toml_11(text: str) -> bool:
    """Whether the text might use TOML 1.1; substring tests first, as they run in C."""
    if "\ufeff" in text:
        return True
    if "\\" in text and _ESCAPES_11.search(text):
        return True
    if ("{" in text or "}" in text) and _INLINE_11.search(text):
        return True
    return _time_without_seconds(text)


def _time_without_seconds(text: str) -> bool:
    """HH:MM not followed by :SS. Titles are full of colons, so look only around them."""
    at = text.find(":")
    while at != -1:
        before, after = text[max(at - 3, 0) : at], text[at + 1 : at + 4]
        if (
            len(before) >= 2
            and before[-2:].isdigit()
            and before[-2:].isascii()
            and (len(before) < 3 or not (before[0].isdigit() or before[0] == ":"))
            and len(after) >= 2
            and after[:2].isdigit()
            and after[:2].isascii()
            and not (len(after) == 3 and after[2] == ":")
        ):
            return True
        at = text.find(":", at + 1)
    return False


_fast: Any
try:
    import rtoml as _fast
except ImportError:  # no wheel for this platform: tomllib alone is correct, only slower
    _fast = None


def loads(text: str) -> dict[str, Any]:
    """Parse TOML 1.0 exactly as tomllib does, with rtoml's speed where that is safe."""
    too_long = long_key(text)
    if too_long:
        raise SourceError(too_long)
    if _fast is not None and not _maybe_toml_11(text):
        try:
            doc: dict[str, Any] = _fast.loads(text)
        except Exception:  # tomllib, below, says what is wrong and where
            pass
        else:
            return doc
    return tomllib.loads(text)


def _empty(message: str) -> Finding:
    hint = "a file starts with its [unit] table; see docs/format.md or examples/"
    return _at_start("E003", message, hint)


def _syntax_finding(text: str, message: str) -> Finding:
    found = _AT.search(message)
    if found:
        line, column = int(found[1]), int(found[2])
        message = message[: found.start()].rstrip()
        zh = syntax_zh(message)
    else:  # "at end of document"
        line = text.count("\n") + 1
        column = len(text) - (text.rfind("\n") + 1) + 1
        message = re.sub(r"\s*\(at end of document\)$", "", message)
        zh = syntax_zh(message) + "(在文件末尾)"
        message += " at the end of the file"
    bad_date = _nonexistent_date(text, line, column)
    if bad_date:
        return bad_date
    message = message[:1].lower() + message[1:]
    hint = _syntax_hint(message)
    return Finding(
        "E005",
        f"invalid TOML: {message}",
        line=line,
        column=column,
        hint=hint,
        zh=f"写法有误:{zh}",
        zh_hint=hint and SAID[hint],
    )


def _nonexistent_date(text: str, line: int, column: int) -> Finding | None:
    """tomllib calls 2023-02-30 a syntax error; say which date does not exist instead."""
    lines = text.split("\n")
    if line > len(lines):
        return None
    for found in _BARE_DATE.finditer(lines[line - 1]):
        reason = date_problem(int(found[1]), int(found[2]), int(found[3]))
        # Only the date the parser stopped at: an earlier syntax error on the line comes first.
        if reason and found.start() < column <= found.end() + 1:
            return Finding(
                "E006",
                f"{found[0]} is not a date: {reason}",
                line=line,
                column=found.start() + 1,
                end_column=found.end() + 1,
                hint="write a date that exists",
                zh=f"{found[0]} 这个日期不存在:{date_problem_zh(*map(int, found.groups()))}",
                zh_hint="请写一个日历上有的日期",
            )
    return None


def date_problem(year: int, month: int, day: int) -> str | None:
    """Say why year-month-day does not exist, or None when it does."""
    days = days_in_month(year, month)
    if days is None:
        return f"there is no month {month}"
    if not 1 <= day <= days:
        return f"{calendar.month_name[month]} {year} has {days} days"
    return None


def _syntax_hint(message: str) -> str | None:
    if "cannot overwrite" in message.lower() or "cannot declare" in message.lower():
        return "each key and table may appear only once; use [[…]] for a list of tasks"
    if "invalid value" in message.lower():
        return 'text needs quotes ("…"); dates are written 2023-10-31 without quotes'
    return None
