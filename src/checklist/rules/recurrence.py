"""Rules on repeating tasks: the rule parses, occurs, and is not done more often than it occurs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from checklist.model import Campaign
from checklist.recur import (
    SHORTHANDS,
    SHORTHANDS_ZH,
    RecurrenceError,
    rule_text,
    task_dates,
    window_end,
)
from checklist.rules.context import Context, good, key_zh
from checklist.rules.registry import Finding, unit_rule
from checklist.rules.shift import shift_of
from checklist.words import quote

MAX_REPEATING_TASKS = 100

_RULE_HINT_ZH = (
    "写简写 "
    + "、".join(f'"{key}"' for key in SHORTHANDS)
    + ",或者直接写中文 "
    + "、".join(f'"{zh}"' for zh in SHORTHANDS_ZH.values())
    + ';也可以写 RRULE 规则,例如 "FREQ=WEEKLY;BYDAY=FR"(每周五)'
)


@unit_rule("E205", "E211", "W402", "W403")
def check_recurrence(doc: dict[str, Any], ctx: Context) -> Iterator[Finding]:
    """Repeat rules parse, occur in the campaign, and have no more done dates than occurrences."""
    count = 0
    for entry in ctx.entries:
        repeat = entry.table.get("repeat")
        if not isinstance(repeat, str):
            continue
        due = entry.get("due")
        if not isinstance(due, dt.date):
            continue
        path = (*entry.path, "repeat")
        count += 1
        if count > MAX_REPEATING_TASKS:
            yield Finding(
                "E205",
                f"more than {MAX_REPEATING_TASKS} repeating tasks in one file",
                path,
                hint="merge repeating tasks, or split the unit",
                zh=f"一个文件里的重复任务超过了 {MAX_REPEATING_TASKS} 项",
                zh_hint="把重复任务合并一些,或者把这个单位的清单拆成几个文件",
            )
            continue
        until = good(entry.table, "until")
        until = until if isinstance(until, dt.date) else None
        expanded, last = _expanded(repeat, due, until, shift_of(entry), ctx.campaign)
        if isinstance(expanded, RecurrenceError):
            yield Finding(
                "E205",
                f"repeat = {quote(repeat)} is not a rule: {expanded}",
                path,
                on_value=True,
                hint=f'use {", ".join(SHORTHANDS)}, or RRULE text such as "FREQ=WEEKLY;BYDAY=FR"',
                zh=f"{key_zh('repeat')}写的 {quote(repeat)} 用不了:{expanded.zh}",
                zh_hint=_RULE_HINT_ZH,
            )
            continue
        if expanded is None:
            continue
        dates = expanded
        if until is not None and until < due:
            yield Finding(
                "W403",
                f"{entry.label} repeats until {until}, before its due date {due}",
                (*entry.path, "until"),
                on_value=True,
                hint="until is the last day an occurrence may fall on; move it after due",
                zh=f"{entry.label_zh} 的{key_zh('until')}{until} 早于它的截止日期 {due}",
                zh_hint=f"until 是最后一次可以落在的日期,要改到截止日期 {due} 之后",
            )
        elif not dates:
            yield Finding(
                "W403",
                f"{entry.label} repeats, but never between its due date {due} and {last}",
                path,
                on_value=True,
                hint="check due, until and the campaign's end",
                zh=f"{entry.label_zh} 设了重复,但从截止日期 {due} 到 {last} 一次也排不上",
                zh_hint="核对截止日期(due)、重复截止日(until)"
                "和 campaign.toml 里活动的结束日期(end)",
            )
        done = good(entry.table, "done")
        done = [done] if isinstance(done, dt.date) else done
        if not isinstance(done, list):
            continue
        if len(done) > len(dates):
            yield Finding(
                "E211",
                f"{len(done)} done dates, but {entry.label} occurs only "
                f"{len(dates)} times up to {last}",
                (*entry.path, "done"),
                on_value=True,
                hint="one done date per occurrence, in order",
                zh=f"写了 {len(done)} 个完成日期,但{entry.label_zh} 到 {last} 为止只有 "
                f"{len(dates)} 次",
                zh_hint="每做完一次写一个完成日期,按先后顺序写",
            )
        if done != sorted(done):
            yield Finding(
                "W402",
                "done dates are not in order; the n-th date completes the n-th occurrence",
                (*entry.path, "done"),
                on_value=True,
                hint="list the dates from earliest to latest",
                zh=f"{key_zh('done')}没有按先后顺序排;第几个日期就算第几次完成",
                zh_hint="把日期从早到晚排好",
            )


# A city's repeating tasks share a few rules and due dates: each expanded once per
# campaign, rather than once per file (the expansion is most of this rule's work).
_Expanded = tuple[dt.date, ...] | RecurrenceError | None
_SEEN: dict[tuple[str, dt.date, dt.date | None, str], tuple[_Expanded, dt.date]] = {}
_SEEN_FOR: list[Campaign] = []


def _expanded(
    repeat: str, due: dt.date, until: dt.date | None, shift: str, campaign: Campaign
) -> tuple[_Expanded, dt.date]:
    """The task's occurrences, or the error if its rule does not parse, or None if its due
    date lies outside the campaign (E206 says so, and expanding from it is only work); and
    the last day an occurrence may fall on."""
    held = _SEEN_FOR[0] if _SEEN_FOR else None
    if held is not campaign:  # a worker unpickles a copy for each chunk of files: equal will do
        if held != campaign:
            _SEEN.clear()
        _SEEN_FOR[:] = [campaign]
    if len(_SEEN) > 4096:
        _SEEN.clear()
    key = (repeat, due, until, shift)
    if key not in _SEEN:
        try:
            if not campaign.start <= due <= campaign.end:
                rule_text(repeat, due)
                found: _Expanded = None
            else:
                found = task_dates(repeat, due=due, until=until, campaign=campaign, shift=shift)
        except RecurrenceError as error:
            found = error
        _SEEN[key] = found, window_end(until, campaign)
    return _SEEN[key]
