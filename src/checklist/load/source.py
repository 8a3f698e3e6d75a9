"""From bytes on disk to a TOML document, or a located finding saying why not."""

from __future__ import annotations

import ast
import calendar
import contextlib
import errno
import functools
import os
import re
import stat
import tomllib
from pathlib import Path
from typing import Any

from checklist.rules.registry import Finding
from checklist.words import quote

MAX_BYTES = 1 << 20
_BOM = "\ufeff"
BOM = _BOM.encode()  # what Windows Notepad's "UTF-8 with BOM" writes first
_AT = re.compile(r"\(at line (\d+), column (\d+)\)$")
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


def read(path: Path, *, within: Path | None = None) -> bytes:
    """Read a file, refusing what is not a regular file of sane size.

    Given ``within`` (the campaign folder), also refuse a link whose real path is outside
    it: a unit file linked to /proc/self/environ would otherwise be quoted in reports.
    Discovery has placed the folders above the file inside the campaign; what is checked
    here is what was opened, so a link swapped in since then cannot slip past.
    """
    try:
        fd = _open(path, within)
    except IsADirectoryError:
        raise SourceError(_unreadable("this is a folder, not a file", _FOLDER_ZH)) from None
    except OSError as error:
        raise SourceError(
            _unreadable(
                f"cannot read the file: {error.strerror or error}",
                f"打不开这个文件:{os_reason_zh(error)}",
            )
        ) from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise SourceError(_unreadable("this is a folder, not a file", _FOLDER_ZH))
        if not stat.S_ISREG(mode):
            raise SourceError(
                _unreadable(
                    "this is not a regular file (a FIFO, device or socket)",
                    "这不是普通文件,而是管道、设备或套接字之类的特殊文件",
                )
            )
        chunks, size = [], 0
        while size <= MAX_BYTES and (chunk := os.read(fd, MAX_BYTES + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
        data = b"".join(chunks)
    except OSError as error:
        raise SourceError(
            _unreadable(
                f"cannot read the file: {error.strerror}", f"读不了这个文件:{os_reason_zh(error)}"
            )
        ) from None
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
                zh_hint="一个文件只放一个单位的清单;请把它拆开或删减",
            )
        )
    return data


# Non-blocking, because opening a FIFO named *.toml would wait for a writer forever.
_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def _open(path: Path, within: Path | None) -> int:
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
    root = _real_folder(str(folder))
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


@functools.lru_cache(maxsize=8)
def _real_folder(folder: str) -> str:
    # One campaign folder, resolved once rather than for each of ten thousand files.
    return os.path.realpath(folder)


def _refuse_outside(fd: int, path: Path, within: Path) -> None:
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


_FOLDER_ZH = "这是一个文件夹,不是文件"

# What the system says when a file cannot be opened, in a clerk's words.
_OS_REASONS_ZH = {
    errno.EACCES: "没有读取权限",
    errno.EPERM: "没有读取权限",
    errno.ENOENT: "文件不存在(或是一个指向不存在位置的链接)",
    errno.ELOOP: "这是一个绕成圈的链接,打不开",
    errno.ENOTDIR: "路径中有一段不是文件夹",
    errno.EISDIR: "这是一个文件夹,不是文件",
    errno.ENAMETOOLONG: "文件名或路径太长",
    errno.EIO: "磁盘读取出错",
}


def os_reason_zh(error: OSError) -> str:
    """Why the system refused a file, for a clerk; its own words for a rare reason."""
    reason = _OS_REASONS_ZH.get(error.errno or 0)
    return reason or f"系统提示“{error.strerror or error}”"


def _unreadable(message: str, zh: str) -> Finding:
    return Finding(
        "E001",
        message,
        line=1,
        column=1,
        hint="pass only unit files (*.toml), and check that you may read them",
        zh=zh,
        zh_hint="只检查单位清单文件(*.toml),并确认有权限读取它们",
    )


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
    zh_hint = f"把文件另存为 UTF-8 编码({_SAVE_AS_ZH})"
    try:
        data.decode("gb18030")
        hint = "the file looks like GBK/GB18030 (a common Windows default); save it as UTF-8"
        zh_hint = (
            "这个文件像是 GBK/GB18030 编码(Windows 常见的默认编码);"
            f"请另存为 UTF-8 编码({_SAVE_AS_ZH})"
        )
    except UnicodeDecodeError:
        pass
    return Finding(
        "E002",
        f"byte 0x{data[offset]:02X} is not valid UTF-8",
        line=line,
        column=column,
        hint=hint,
        zh=f"这里的字节 0x{data[offset]:02X} 不是 UTF-8 编码的文字:文件没有用 UTF-8 编码保存",
        zh_hint=zh_hint,
    )


_SAVE_AS_ZH = "记事本:“另存为”,编码选“UTF-8”"


def _binary(data: bytes) -> Finding:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        message, hint = "the file is UTF-16, not UTF-8", "save it as UTF-8"
        zh = "文件是 UTF-16 编码,不是 UTF-8"
        zh_hint = f"请另存为 UTF-8 编码({_SAVE_AS_ZH})"
    else:
        message, hint = "the file is binary, not text", "unit files are UTF-8 TOML text"
        zh = "这不是文字文件(里面有二进制内容)"
        zh_hint = "单位清单文件是用 UTF-8 编码保存的 TOML 文字文件;请确认选对了文件"
    return Finding("E002", message, line=1, column=1, hint=hint, zh=zh, zh_hint=zh_hint)


def parse(text: str) -> dict[str, Any]:
    """Parse TOML, turning tomllib's message into a located finding."""
    if not text.strip(" \t\r\n"):  # TOML's whitespace; str.strip() would eat \f and \v too
        raise SourceError(_empty("the file is empty", "文件是空的"))
    try:
        doc = loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SourceError(_syntax_finding(text, str(error))) from None
    except RecursionError:
        raise SourceError(
            Finding(
                "E005",
                "values are nested too deeply",
                line=1,
                column=1,
                zh="写法有误:方括号 [ ] 或花括号 { } 一层套一层,套得太深了",
            )
        ) from None
    if not doc:
        raise SourceError(
            _empty("the file holds only comments", "文件里只有注释(# 开头的说明文字),没有内容")
        )
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


# tomllib's work for a dotted key grows with the square of its parts (30,000 parts took
# minutes and gigabytes). Unit files use keys of at most four parts (study.tasks.title),
# so a longer one is a mistake, and is refused before any parser sees it.
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


def screen(text: str) -> None:
    """Refuse, before parsing, a dotted key whose parts would cost a parser their square."""
    if text.count(".") < MAX_KEY_PARTS or not any(
        line.count(".") >= MAX_KEY_PARTS for line in text.split("\n")
    ):
        return
    dots, start, value = 0, 0, False
    for token in _SCREEN.finditer(text):
        first = token.group()[0]
        if first == ".":
            dots += 1
            # Dots in a value (1.1.1.1…) are a syntax error the parser finds in linear time.
            if dots >= MAX_KEY_PARTS and not value:
                raise SourceError(_long_key(text, start))
        elif first in "=\n[]{},":
            dots, start = 0, token.end()
            # After "=" comes a value; a line, an inline table or its next pair start a key.
            value = first == "=" or (value and first in "[]")
        elif not dots and not token.group().isspace():
            start = token.start()


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
        zh_hint="单位清单里的名称最多四段,如 study.tasks.title;请删掉这一项",
    )


def loads(text: str) -> dict[str, Any]:
    """Parse TOML 1.0 exactly as tomllib does, with rtoml's speed where that is safe."""
    screen(text)
    if _fast is not None and not _maybe_toml_11(text):
        try:
            doc: dict[str, Any] = _fast.loads(text)
        except Exception:  # tomllib, below, says what is wrong and where
            pass
        else:
            return doc
    return tomllib.loads(text)


def _empty(message: str, zh: str) -> Finding:
    return Finding(
        "E003",
        message,
        line=1,
        column=1,
        hint="a file starts with its [unit] table; see docs/format.md or examples/",
        zh=zh,
        zh_hint="文件以 [unit] 这一栏开头;可照着 docs/format.md 或 examples/ 里的样例填写",
    )


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
        zh_hint=_SYNTAX_HINTS_ZH[hint] if hint else None,
    )


def _key_zh(found: re.Match[str]) -> str:
    """tomllib's key, a tuple's repr such as ('study', 'tasks'), as written: study.tasks."""
    try:
        parts = ast.literal_eval(found["key"])
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return quote(found["key"])
    if isinstance(parts, str):
        parts = (parts,)
    if not isinstance(parts, tuple) or not all(isinstance(p, str) for p in parts):
        return quote(found["key"])
    return ".".join(p if _BARE_KEY.fullmatch(p) else quote(p) for p in parts)


def _char_zh(found: re.Match[str]) -> str:
    """tomllib's character, a repr such as '\\x00', named for a clerk."""
    try:
        char = ast.literal_eval(found["char"])
    except (ValueError, SyntaxError):
        return found["char"]
    if not isinstance(char, str) or len(char) != 1:
        return found["char"]
    names = {"\t": "制表符(Tab)", "\r": "回车符", "\n": "换行", "\x7f": "删除符"}
    return f"{names.get(char, '控制字符')} U+{ord(char):04X}"


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_KEY = r"(?P<key>.+)"
_CHAR = r"(?P<char>.+)"
_QUOTES_ZH = '文字要用英文引号括起来,如 owner = "张伟"'

# tomllib's messages (CPython's Lib/tomllib/_parser.py), each said for a clerk.
_SYNTAX_ZH: tuple[tuple[re.Pattern[str], Any], ...] = tuple(
    (re.compile(pattern, re.DOTALL), say)
    for pattern, say in (
        ("Invalid value", "这里的值看不懂"),
        (
            "Invalid statement",
            "这一行看不懂:每行应写成 名称 = 值,或者是 [unit]、[[study.tasks]] 这样的栏目标题",
        ),
        (
            "Expected newline or end of document after a statement",
            "一行只能写一项:这一项后面还有多余的内容(文字里的引号要成对,注释以 # 开头)",
        ),
        ("Expected '=' after a key in a key/value pair", "名称后面少了等号 =,应写成 名称 = 值"),
        (
            "Expected ']' at the end of a table declaration",
            "栏目标题少了右边的方括号 ],应写成 [unit] 这样",
        ),
        (
            "Expected ']]' at the end of an array declaration",
            "任务标题少了右边的双方括号 ]],应写成 [[study.tasks]] 这样",
        ),
        (
            "Invalid initial character for a key part",
            "名称的开头有不能用的字符:名称只用英文字母、数字、- 和 _,其他文字要加引号",
        ),
        ("Unclosed array", "列表 [ … ] 没有用 ] 收尾,或者列表里的各项之间少了英文逗号"),
        ("Unclosed inline table", "花括号 { … } 没有用 } 收尾,或者里面的各项之间少了英文逗号"),
        ("Unterminated string", "引号没有配对:文字缺少结尾的引号"),
        (r"Expected (?P<quote>\"'+\")", lambda m: f"引号没有配对:缺少结尾的 {m['quote'][1:-1]}"),
        (
            rf"Found invalid character {_CHAR}",
            lambda m: f"注释或文字里有不允许出现的字符:{_char_zh(m)}",
        ),
        (
            rf"Illegal character {_CHAR}",
            lambda m: (
                f'文字里有不允许出现的字符:{_char_zh(m)}(要换行的文字请用三个引号 """…""" 括起来)'
            ),
        ),
        (
            rf"Cannot declare {_KEY} twice",
            lambda m: f"栏目 [{_key_zh(m)}] 写了两遍:同一个栏目只能出现一次",
        ),
        ("Cannot overwrite a value", "同一项写了两遍,或者和前面已有的一项重名,不能覆盖"),
        (
            rf"Cannot redefine namespace {_KEY}",
            lambda m: f"{_key_zh(m)} 已经作为栏目 [{_key_zh(m)}] 写过,不能再用带点的名称重写",
        ),
        (
            rf"Cannot mutate immutable namespace {_KEY}",
            lambda m: (
                f"{_key_zh(m)} 已经在一行里写完整了(用 {{ … }} 或 [ … ]),不能再往里面添加内容"
            ),
        ),
        (
            r"Duplicate inline table key (?P<key>.+)",
            lambda m: f"花括号 {{ … }} 里的 {_key_zh(m)} 写了两遍",
        ),
        (
            r"Unescaped '\\' in a string",
            "文字里的反斜杠 \\ 用得不对:要写成两个 \\\\,或者改用单引号 '…' 括起文字",
        ),
        ("Invalid hex value", "转义写法 \\u 或 \\U 后面的十六进制数字不对"),
        (
            "Escaped character is not a Unicode scalar value",
            "转义写法 \\u 或 \\U 表示的不是一个有效的字符",
        ),
        ("Invalid date or datetime", "日期或时间写得不对,日期应写成 2023-10-31"),
    )
)


def syntax_zh(message: str) -> str:
    """tomllib's message said for a clerk; one it has never said, in its own words too."""
    for pattern, say in _SYNTAX_ZH:
        found = pattern.fullmatch(message)
        if found:
            return say if isinstance(say, str) else str(say(found))
    return f"这里不符合 TOML 写法(原文:{message})"


_SYNTAX_HINTS_ZH = {
    "each key and table may appear only once; use [[…]] for a list of tasks": (
        "每一项、每个栏目只能写一次;一个措施下有几项任务时,"
        "每项任务前各写一行 [[study.tasks]](两层方括号)"
    ),
    'text needs quotes ("…"); dates are written 2023-10-31 without quotes': (
        f"{_QUOTES_ZH};日期不加引号,写成 2023-10-31"
    ),
}


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
                zh=f"{found[0]} 这个日期不存在:"
                f"{date_problem_zh(int(found[1]), int(found[2]), int(found[3]))}",
                zh_hint="请写一个日历上有的日期",
            )
    return None


def date_problem(year: int, month: int, day: int) -> str | None:
    """Say why year-month-day does not exist, or None when it does."""
    if not 1 <= month <= 12:
        return f"there is no month {month}"
    days = calendar.monthrange(year, month)[1] if year >= 1 else 31
    if not 1 <= day <= days:
        return f"{calendar.month_name[month]} {year} has {days} days"
    return None


def date_problem_zh(year: int, month: int, day: int) -> str | None:
    """``date_problem`` for a clerk who reads Chinese."""
    if not 1 <= month <= 12:
        return f"没有 {month} 月"
    days = calendar.monthrange(year, month)[1] if year >= 1 else 31
    if not 1 <= day <= days:
        return f"{year} 年 {month} 月只有 {days} 天"
    return None


def _syntax_hint(message: str) -> str | None:
    if "cannot overwrite" in message.lower() or "cannot declare" in message.lower():
        return "each key and table may appear only once; use [[…]] for a list of tasks"
    if "invalid value" in message.lower():
        return 'text needs quotes ("…"); dates are written 2023-10-31 without quotes'
    return None
