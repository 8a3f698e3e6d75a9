"""Rules on tasks: an owner and a due date each, keys where they mean something, ids."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from checklist.load.schema import ID_PATTERN
from checklist.load.shape import BAD, table_name, table_name_zh
from checklist.rules.context import Context, Entry, key_zh, measure_zh
from checklist.rules.registry import Finding, KeyPath, unit_rule
from checklist.words import quote


@unit_rule("E102", "E103", "E105", "E210", "E212", "W401", "W404")
def check_tasks(doc: dict[str, Any], ctx: Context) -> Iterator[Finding]:
    """Every task ends up with an owner and a due date; keys sit where they mean something."""
    for measure in ctx.campaign.measures:
        table = doc.get(measure.key)
        if isinstance(table, dict) and table.get("tasks") and table["tasks"] is not BAD:
            if _TASK_KEYS.isdisjoint(table):  # the common case: the loop below finds nothing
                continue
            for key in ("done", "repeat", "until", "id", "postponed_from", "postpone_reason"):
                if key in table:
                    yield Finding(
                        "E105",
                        f'"{key}" belongs on a task: [{measure.key}] has tasks',
                        (measure.key, key),
                        hint=f"move it into the [[{measure.key}.tasks]] "
                        "it is about; a measure's own owner and due are its tasks' defaults",
                        zh=f"{key_zh(key)}要写在具体任务下面:{measure_zh(measure)}已经列了任务",
                        zh_hint=f"把这一行移到它所说的那项 [[{measure.key}.tasks]] 下面;"
                        "措施本身只写 owner 和 due,作为下面各项任务默认的责任人和截止日期",
                    )
    ids: dict[str, KeyPath] = {}
    titles: dict[tuple[str, str], int] = {}
    for entry in ctx.entries:
        table = entry.table
        if "owner" not in table or "due" not in table:  # else both are written: the rest
            for key in ("owner", "due"):
                if entry.get(key) is None:
                    yield _unresolved(entry, key)
        repeat = table.get("repeat")
        if repeat is None and ("until" in table or isinstance(table.get("done"), list)):
            yield from _not_repeating(entry)
        task_id = table.get("id")
        if isinstance(task_id, str) and task_id.strip():
            if not _ID.fullmatch(task_id):
                yield Finding(
                    "E210",
                    f"task id {quote(task_id)} has characters ids cannot have",
                    (*entry.path, "id"),
                    on_value=True,
                    hint="use letters, digits, '.', '_' and '-', like study-1",
                    zh=f"任务{key_zh('id')}{quote(task_id)} 里有编号不能用的字符",
                    zh_hint="编号只用英文字母、数字和 . _ - 这三个符号,例如 study-1",
                )
            elif task_id in ids:
                yield Finding(
                    "E212",
                    f"task id {quote(task_id)} is already used by {table_name(ids[task_id][:-1])}",
                    (*entry.path, "id"),
                    on_value=True,
                    hint="give each task of the unit its own id",
                    zh=f"任务{key_zh('id')}{quote(task_id)} 已经被 "
                    f"{table_name_zh(ids[task_id][:-1])}用了",
                    zh_hint="同一个单位的每项任务要用各不相同的编号",
                )
            else:
                ids[task_id] = (*entry.path, "id")
        title = table.get("title")
        if isinstance(title, str) and title.strip():
            seen = (entry.measure.key, title.strip())
            if seen in titles:
                yield Finding(
                    "W401",
                    f"task title {quote(title)} appears twice in "
                    f"[{entry.measure.key}] (tasks #{titles[seen]} and #{entry.index})",
                    (*entry.path, "title"),
                    on_value=True,
                    hint="tell the tasks apart in their titles, or merge them",
                    zh=f"{measure_zh(entry.measure)}里有两项任务的标题都是 {quote(title)}"
                    f"(第 {titles[seen]} 项和第 {entry.index} 项)",
                    zh_hint="把标题写得能区分开,或者把这两项任务合并成一项",
                )
            else:
                titles[seen] = entry.index
        if ("postponed_from" in table) != ("postpone_reason" in table):
            present = "postponed_from" if "postponed_from" in table else "postpone_reason"
            missing = "postpone_reason" if present == "postponed_from" else "postponed_from"
            yield Finding(
                "W404",
                f'{entry.label} has "{present}" but no "{missing}"',
                (*entry.path, present),
                hint="a postponement records both the original due date and why",
                zh=f"{entry.label_zh} 写了{key_zh(present)},但没写{key_zh(missing)}",
                zh_hint=_POSTPONE_HINT_ZH[missing],
            )


_TASK_KEYS = frozenset({"done", "repeat", "until", "id", "postponed_from", "postpone_reason"})
_ID = re.compile(ID_PATTERN)


def _not_repeating(entry: Entry) -> Iterator[Finding]:
    """ "until", or a list of done dates, on a task that does not repeat."""
    if "until" in entry.table:
        yield Finding(
            "E105",
            '"until" only goes with "repeat"',
            (*entry.path, "until"),
            hint='add repeat = "weekly" (or another rule), or remove until',
            zh=f"{entry.label_zh} 写了{key_zh('until')},但没写{key_zh('repeat')};"
            "until 只能和 repeat 一起用",
            zh_hint='加一行 repeat = "weekly"(或别的重复规则);任务不重复的话,删掉 until 这一行',
        )
    if isinstance(entry.table.get("done"), list):
        yield Finding(
            "E103",
            f'"done" is a list, but {entry.label} does not repeat',
            (*entry.path, "done"),
            on_value=True,
            hint="write the one day it was done, like done = 2023-10-27",
            zh=f"{entry.label_zh} 不是重复任务,{key_zh('done')}只能写一个日期,"
            "不能用方括号 [ ] 写成一串",
            zh_hint="只写完成的那一天,例如 done = 2023-10-27",
        )


_POSTPONE_HINT_ZH = {
    "postpone_reason": '延期要同时写明原截止日期和延期原因:加一行 postpone_reason = "延期的原因"',
    "postponed_from": "延期要同时写明原截止日期和延期原因:加一行 postponed_from = 2023-10-31"
    "(写原来的截止日期)",
}


def _unresolved(entry: Entry, key: str) -> Finding:
    example = '"张伟"' if key == "owner" else "2023-10-31"
    measure = entry.measure
    if entry.index == 0:
        return Finding(
            "E102",
            f'[{measure.key}] has no tasks, so it needs its own "{key}"',
            entry.path,
            hint=f"add {key} = {example} under [{measure.key}], or add [[{measure.key}.tasks]]",
            zh=f"{measure_zh(measure)}下面没有列任务,所以它自己要写{key_zh(key)}",
            zh_hint=f"在 [{measure.key}] 下面加一行 {key} = {example},"
            f"或者加上 [[{measure.key}.tasks]] 把任务一项项列出来",
        )
    return Finding(
        "E102",
        f"{entry.label} has no {key}, and [{measure.key}] gives none to inherit",
        entry.path,
        hint=f"add {key} = {example} to this task or to [{measure.key}]",
        zh=f"{entry.label_zh} 没写{key_zh(key)},{measure_zh(measure)}也没写,没有可以沿用的",
        zh_hint=f"在这项任务下面加一行 {key} = {example};"
        f"或者加在 [{measure.key}] 下面,它的各项任务都会沿用",
    )
