"""Check a parsed document against its declared keys and types.

The result is a cleaned copy: unknown keys dropped, and every value that is
present but unusable replaced by ``BAD``, so later checks neither crash on it
nor report it a second time (one mistake, one message).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Final

from checklist.load.schema import Field, Kind
from checklist.load.source import date_problem
from checklist.load.source_zh import date_problem_zh
from checklist.rules.registry import Finding, KeyPath
from checklist.words import did_you_mean, quote


class _Bad:
    def __repr__(self) -> str:
        return "BAD"


BAD: Final = _Bad()

MAX_GUESSES = 1000

# Possessive: "\s*日?\s*" would otherwise split a long run of spaces every possible way.
_QUOTED_DATE = re.compile(
    r"^\s*+(\d{4})\s*+[-/.年]\s*+(\d{1,2})\s*+[-/.月]\s*+(\d{1,2})\s*+日?\s*+$"
)


def show(value: Any, *, zh: bool = False) -> str:
    """Describe a value for a message (``zh``: for a clerk who reads Chinese), quoting at
    most a short piece of it."""
    kind, shown = _shown(value)
    english, chinese = _SHOWN[kind]
    return (chinese if zh else english).format(shown)


_SHOWN = {
    "boolean": ("the boolean {}", "是/否值 {}"),
    "number": ("the number {}", "数字 {}"),
    "text": ("the text {}", "文字 {}"),
    "date-time": ("the date-time {}", "日期时间 {}"),
    "date": ("the date {}", "日期 {}"),
    "time": ("the time {}", "时间 {}"),
    "list": ("a list", "一个列表"),
    "table": ("a table", "单独的一栏"),
}


def _shown(value: Any) -> tuple[str, str]:
    """What kind of value this is, and how it is written in a message."""
    if isinstance(value, bool):
        return "boolean", str(value).lower()
    if isinstance(value, int | float):
        return "number", str(value)
    if isinstance(value, str):
        return "text", quote(value)
    if isinstance(value, dt.datetime):
        return "date-time", value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return ("date" if isinstance(value, dt.date) else "time"), value.isoformat()
    return ("list" if isinstance(value, list) else "table"), ""


def table_name_zh(path: KeyPath) -> str:
    """``table_name`` for a clerk who reads Chinese: [[study.tasks]] 第 2 项."""
    if not path:
        return "文件开头(任何 [表] 之前)"
    if isinstance(path[-1], int):
        return f"[[{'.'.join(map(str, path[:-1]))}]] 第 {path[-1] + 1} 项"
    return f"[{'.'.join(map(str, path))}]"


def table_name(path: KeyPath) -> str:
    """Name a table as a user wrote it: [study], [[study.tasks]] #2."""
    if not path:
        return "the top level"
    if isinstance(path[-1], int):
        return f"[[{'.'.join(map(str, path[:-1]))}]] #{path[-1] + 1}"
    return f"[{'.'.join(map(str, path))}]"


_EXPECTED = {
    Kind.TEXT: 'text in quotes, like "张伟"',
    Kind.DATE: "a date like 2023-10-31 (no quotes)",
    Kind.INTEGER: "a whole number like 12",
    Kind.DATES: "a date like 2023-10-31, or a list of dates",
    Kind.TEXTS: 'a list of text, like ["a", "b"]',
    Kind.INTEGERS: "a list of whole numbers, like [7, 3, 1, 0]",
    Kind.TABLE: "a table",
    Kind.TABLES: "a list of tables",
    Kind.TEXT_MAP: "a table of text",
}

_EXPECTED_ZH = {
    Kind.TEXT: '加引号的文字(如 "张伟")',
    Kind.DATE: "不加引号的日期(如 2023-10-31)",
    Kind.INTEGER: "整数(如 12)",
    Kind.DATES: "不加引号的日期(如 2023-10-31),或几个日期的列表",
    Kind.TEXTS: '加引号的文字列表(如 ["a", "b"])',
    Kind.INTEGERS: "整数列表(如 [7, 3, 1, 0])",
    Kind.TABLE: "单独的一栏(以 [名称] 开头)",
    Kind.TABLES: "一组栏目(每项以 [[名称]] 开头)",
    Kind.TEXT_MAP: '单独的一栏(每行一项:名称 = "文字")',
}

# What a clerk calls the keys a typo most often meant.
# What a clerk calls each key: the one glossary of every Chinese message.
KEY_NAMES_ZH = {
    "owner": "责任人",
    "due": "截止日期",
    "due_workdays": "工作日期限",
    "from": "起算日期",
    "done": "完成日期",
    "title": "任务标题",
    "name": "名称",
    "tasks": "任务",
    "contact": "联系人",
    "county": "区县",
    "level": "层级",
    "note": "备注",
    "id": "编号",
    "repeat": "重复",
    "until": "重复截止日",
    "shift": "休息日调整",
    "postponed_from": "原截止日期",
    "postpone_reason": "延期原因",
    "unit": "单位",
    "people": "人员邮箱",
}


def key_zh(key: str) -> str:
    """A key as a clerk may type it, with what it means when that is known: owner(责任人)."""
    gloss = KEY_NAMES_ZH.get(key)
    return f"{key}({gloss})" if gloss else key


def shape(doc: dict[str, Any], schema: Field, findings: list[Finding]) -> dict[str, Any]:
    """Check ``doc`` against ``schema``; append findings and return the cleaned copy."""
    return _table(doc, schema, (), findings)


# Fields are declared once and looked up for every key of every file: index them by name.
# (Keyed by id: a Field may hold an unhashable example.)
_INDEX: dict[int, tuple[Field, dict[str, Field], tuple[Field, ...]]] = {}


def _indexed(field: Field) -> tuple[Field, dict[str, Field], tuple[Field, ...]]:
    entry = _INDEX.get(id(field))
    if entry is None or entry[0] is not field:
        children = {f.name: f for f in field.fields}
        entry = _INDEX[id(field)] = (field, children, tuple(f for f in field.fields if f.required))
    return entry


def _children(field: Field) -> dict[str, Field]:
    return _indexed(field)[1]


def _required(field: Field) -> tuple[Field, ...]:
    return _indexed(field)[2]


def _table(
    table: dict[str, Any], field: Field, path: KeyPath, out: list[Finding]
) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    known = _INDEX.get(id(field))  # _indexed(field), without a call for each table
    _, children, required = known if known and known[0] is field else _indexed(field)
    for key, value in table.items():
        child = children.get(key)
        if child is None:
            out.append(_unknown(key, value, table, field, path, clean, len(out)))
            continue
        # The common case, a valid text or date, without a call or a path: most values.
        kind, cls = child.kind, type(value)
        if (cls is str and kind is _TEXT) or (cls is dt.date and (kind is _DATE or kind is _DATES)):
            clean[key] = value
        elif cls is list and kind is _TABLES and all(type(item) is dict for item in value):
            here = (*path, key)
            clean[key] = [_table(item, child, (*here, i), out) for i, item in enumerate(value)]
        elif cls is dict and kind is _TABLE:
            clean[key] = _table(value, child, (*path, key), out)
        else:
            clean[key] = _value(value, child, (*path, key), out)
    for child in required:
        if child.name not in clean:
            out.append(_missing(child, path))
    return clean


_TEXT, _DATE, _DATES, _TABLE, _TABLES = Kind.TEXT, Kind.DATE, Kind.DATES, Kind.TABLE, Kind.TABLES


def _unknown(
    key: str,
    value: Any,
    table: dict[str, Any],
    field: Field,
    path: KeyPath,
    clean: dict[str, Any],
    found: int,
) -> Finding:
    """E101 for a key ``field`` does not have; a guessed key it meant is marked in ``clean``."""
    known = list(_children(field))
    # A guess costs a fuzzy match against every known key: a file of 100,000 unknown
    # keys gets guesses for its first ones only.
    guess = did_you_mean(key, known) if found < MAX_GUESSES else None
    what = "table" if isinstance(value, dict) and path == () else "key"
    where = "" if path == () else f" in {table_name(path)}"
    shown = f"[{key}]" if what == "table" else quote(key)
    if guess:
        hint = f'did you mean "{guess}"?'
        hint_zh = f"是不是要写 {key_zh(guess)}?"
        if guess not in table:
            clean[guess] = BAD  # the typo stands for the key it meant
    elif path == ():
        home = next((f.name for f in field.fields if f.child(key)), None)
        hint = (
            f"{key} belongs in a table: move it below the [{home}] header"
            if home
            else "the tables here are " + ", ".join(f"[{k}]" for k in known)
        )
        hint_zh = (
            f"{quote(key)} 要写在某一栏里:把它移到 [{home}] 这一行的下面"
            if home
            else "这里能用的栏目有:" + "、".join(f"[{k}]" for k in known)
        )
    else:
        hint = "the keys here are " + ", ".join(known)
        hint_zh = "这一栏能写的项有:" + "、".join(known)
    zh = (
        f"不认识的栏目 [{quote(key)[1:-1]}]"
        if what == "table"
        else f"不认识的一项 {quote(key)}" + ("" if path == () else f"(在 {table_name_zh(path)} 里)")
    )
    return Finding(
        "E101", f"unknown {what} {shown}{where}", (*path, key), hint=hint, zh=zh, zh_hint=hint_zh
    )


def _missing(field: Field, path: KeyPath) -> Finding:
    doc_zh = f":{field.zh}" if field.zh else ""
    dotted = ".".join(map(str, (*path, field.name)))
    if field.kind is Kind.TABLE:
        message = f"the table [{dotted}] is missing"
        hint = f"add [{field.name}]; {field.doc[0].lower()}{field.doc[1:]}"
        zh = f"缺少 [{dotted}] 这一栏"
        zh_hint = f"加上 [{field.name}] 这一栏{doc_zh}"
    else:
        message = f'{table_name(path)} is missing "{field.name}"'
        example = field.example if field.kind is not Kind.TEXT else f'"{field.example}"'
        hint = f"add {field.name} = {example}: {field.doc[0].lower()}{field.doc[1:]}"
        if field.kind is Kind.TABLES:
            hint = f"add [[{dotted}]], one for each; {field.doc[0].lower()}{field.doc[1:]}"
            zh = f"缺少 [[{dotted}]] 这一栏"
            zh_hint = f"加上 [[{field.name}]] 这一栏(有几项就写几栏){doc_zh}"
        else:
            zh = f"{table_name_zh(path)} 里缺少一项:{key_zh(field.name)}"
            zh_hint = f"加上一行 {field.name} = {example}{doc_zh}"
    return Finding("E102", message, path, hint=hint, zh=zh, zh_hint=zh_hint)


def _value(value: Any, field: Field, path: KeyPath, out: list[Finding]) -> Any:
    kind = field.kind
    if kind is Kind.TEXT and isinstance(value, str):
        return value
    if kind is Kind.INTEGER and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind in (Kind.DATE, Kind.DATES) and _is_date(value):
        return value
    if kind is Kind.DATES and isinstance(value, list):
        items = [_value(item, _DATE_ITEM, (*path, i), out) for i, item in enumerate(value)]
        return BAD if any(item is BAD for item in items) else items
    if kind is Kind.INTEGERS and isinstance(value, list):
        if all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value):
            return value
    elif kind is Kind.TEXTS and isinstance(value, list):
        if all(isinstance(item, str) for item in value):
            return value
    elif kind is Kind.TABLE and isinstance(value, dict):
        return _table(value, field, path, out)
    elif (
        kind is Kind.TABLES and isinstance(value, list) and all(isinstance(v, dict) for v in value)
    ):
        return [_table(item, field, (*path, i), out) for i, item in enumerate(value)]
    elif kind is Kind.TEXT_MAP and isinstance(value, dict):
        clean = {}
        for key, item in value.items():
            clean[key] = _value(item, _TEXT_ITEM, (*path, key), out)
        return clean
    out.append(_wrong_type(value, field, path))
    return BAD


_DATE_ITEM = Field("date", Kind.DATE, "")
_TEXT_ITEM = Field("address", Kind.TEXT, "")


def _is_date(value: Any) -> bool:
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def _wrong_type(value: Any, field: Field, path: KeyPath) -> Finding:
    name = str(path[-1]) if isinstance(path[-1], str) else f"{path[-2]}[{path[-1]}]"
    if field.kind in (Kind.DATE, Kind.DATES) and isinstance(value, str):
        quoted = _QUOTED_DATE.match(value)
        if quoted:
            return _date_as_string(value, quoted, name, path)
    hint = zh_hint = None
    if field.kind in (Kind.DATE, Kind.DATES) and isinstance(value, dt.datetime):
        hint = f"write only the day: {name} = {value.date().isoformat()}"
        zh_hint = f"只写日期,不写时间:{name} = {value.date().isoformat()}"
    elif field.kind is Kind.TABLES and isinstance(value, dict):
        dotted = ".".join(map(str, path))
        hint = f"write [[{dotted}]] (double brackets) before each one"
        zh_hint = f"每一项前面写一行 [[{dotted}]](两层方括号)"
    elif field.kind is Kind.TEXT and not isinstance(value, dict | list):
        shown = value.isoformat() if isinstance(value, dt.date | dt.time) else str(value).lower()
        hint = f'put it in quotes: {name} = "{shown}"'
        zh_hint = f'加上引号:{name} = "{shown}"'
    message = f'"{name}" must be {_EXPECTED[field.kind]}, not {show(value)}'
    zh = f"{_name_zh(path)} 应该写成{_EXPECTED_ZH[field.kind]},现在写的是{show(value, zh=True)}"
    return Finding("E103", message, path, on_value=True, hint=hint, zh=zh, zh_hint=zh_hint)


def _name_zh(path: KeyPath) -> str:
    """The key a value belongs to, for a clerk: owner(责任人), or done 的第 2 个."""
    if isinstance(path[-1], str):
        return key_zh(quote(path[-1])[1:-1])
    return f"{key_zh(str(path[-2]))} 的第 {path[-1] + 1} 个"


def _date_as_string(value: str, found: re.Match[str], name: str, path: KeyPath) -> Finding:
    year, month, day = int(found[1]), int(found[2]), int(found[3])
    reason = date_problem(year, month, day)
    written = f"{_name_zh(path)} 写成了带引号的文字 {quote(value)}"
    if reason:
        message = f'"{name}" is the text {quote(value)}, and that date does not exist ({reason})'
        hint = "write a real date without quotes, like 2023-10-31"
        zh = f"{written},而且这个日期不存在({date_problem_zh(year, month, day)})"
        zh_hint = "写一个日历上有的日期,不加引号,如 2023-10-31"
    else:
        iso = dt.date(year, month, day).isoformat()
        message = f'"{name}" is the text {quote(value)}, not a date'
        hint = f"drop the quotes: {name} = {iso}"
        zh = f"{written},不是日期"
        zh_hint = f"去掉引号:{name} = {iso}"
    return Finding("E104", message, path, on_value=True, hint=hint, zh=zh, zh_hint=zh_hint)
