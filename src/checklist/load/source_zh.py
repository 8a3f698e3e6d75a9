"""What source.py's findings say to a clerk who reads Chinese: the parser's and the
system's words, and the dates that do not exist."""

from __future__ import annotations

import ast
import errno
import re
from typing import Any

from checklist.dates import days_in_month
from checklist.words import quote

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


_SAVE_AS = "记事本:“另存为”,编码选“UTF-8”"

# source.py's fixed messages and hints, each as a clerk should read it.
SAID = {
    "this is a folder, not a file": "这是一个文件夹,不是文件",
    "this is not a regular file (a FIFO, device or socket)": (
        "这不是普通文件,而是管道、设备或套接字之类的特殊文件"
    ),
    "pass only unit files (*.toml), and check that you may read them": (
        "只检查单位清单文件(*.toml),并确认有权限读取它们"
    ),
    "a unit file holds one unit's list; split or shorten it": (
        "一个文件只放一个单位的清单;请把它拆开或删减"
    ),
    "save the file as UTF-8": f"把文件另存为 UTF-8 编码({_SAVE_AS})",
    "the file looks like GBK/GB18030 (a common Windows default); save it as UTF-8": (
        f"这个文件像是 GBK/GB18030 编码(Windows 常见的默认编码);请另存为 UTF-8 编码({_SAVE_AS})"
    ),
    "the file is UTF-16, not UTF-8": "文件是 UTF-16 编码,不是 UTF-8",
    "save it as UTF-8": f"请另存为 UTF-8 编码({_SAVE_AS})",
    "the file is binary, not text": "这不是文字文件(里面有二进制内容)",
    "unit files are UTF-8 TOML text": (
        "单位清单文件是用 UTF-8 编码保存的 TOML 文字文件;请确认选对了文件"
    ),
    "the file is empty": "文件是空的",
    "the file holds only comments": "文件里只有注释(# 开头的说明文字),没有内容",
    "a file starts with its [unit] table; see docs/format.md or examples/": (
        "文件以 [unit] 这一栏开头;可照着 docs/format.md 或 examples/ 里的样例填写"
    ),
    "values are nested too deeply": "写法有误:方括号 [ ] 或花括号 { } 一层套一层,套得太深了",
    # _syntax_hint's
    "each key and table may appear only once; use [[…]] for a list of tasks": (
        "每一项、每个栏目只能写一次;一个措施下有几项任务时,"
        "每项任务前各写一行 [[study.tasks]](两层方括号)"
    ),
    'text needs quotes ("…"); dates are written 2023-10-31 without quotes': (
        '文字要用英文引号括起来,如 owner = "张伟";日期不加引号,写成 2023-10-31'
    ),
}


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


def date_problem_zh(year: int, month: int, day: int) -> str | None:
    """``date_problem`` for a clerk who reads Chinese."""
    days = days_in_month(year, month)
    if days is None:
        return f"没有 {month} 月"
    if not 1 <= day <= days:
        return f"{year} 年 {month} 月只有 {days} 天"
    return None
