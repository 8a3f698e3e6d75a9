"""``shift``: what a repeating task's occurrence on a rest day does (docs/calendar.md)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from checklist.load.shape import BAD
from checklist.recur import SHIFTS
from checklist.rules.context import Context, Entry, good, key_zh, measure_zh
from checklist.rules.registry import Finding, KeyPath, unit_rule
from checklist.words import quote

_CHOICES = ", ".join(f'"{s}"' for s in SHIFTS)
_CHOICES_ZH = "、".join(f'"{s}"' for s in SHIFTS)


def shift_of(entry: Entry) -> str:
    """The task's own ``shift``, else its measure's, else "none" (a value in SHIFTS)."""
    own = good(entry.table, "shift")
    if own is None and entry.index:
        own = good(entry.defaults, "shift")
    return own if own in SHIFTS else "none"


@unit_rule("E216", "W412")
def check_shift(doc: dict[str, Any], ctx: Context) -> Iterator[Finding]:
    """``shift`` is one of SHIFTS, and is written where a repeating task uses it."""
    used: set[KeyPath] = set()  # the tables whose own shift moves some occurrence
    for entry in ctx.entries:
        repeat = entry.table.get("repeat")
        if repeat is None or repeat is BAD:
            continue
        if "shift" in entry.table or not entry.index:
            used.add(entry.path)
        else:
            used.add((entry.measure.key,))
    for entry in ctx.entries:
        if "shift" in entry.table:  # labels are made only for a finding: most files have none
            yield from _check(entry.table, entry.path, partial(_labels, entry), used)
        if entry.index == 1 and "shift" in entry.defaults:  # a measure's own, looked at once
            path = (entry.measure.key,)
            yield from _check(entry.defaults, path, partial(_measure_labels, entry), used)


def _labels(entry: Entry) -> tuple[str, str]:
    return entry.label, entry.label_zh


def _measure_labels(entry: Entry) -> tuple[str, str]:
    return f"[{entry.measure.key}]", measure_zh(entry.measure)


def _check(
    table: dict[str, Any],
    path: KeyPath,
    labels: Callable[[], tuple[str, str]],
    used: set[KeyPath],
) -> Iterator[Finding]:
    value = good(table, "shift")
    if not isinstance(value, str):
        return  # absent, or not text (E103 says so)
    where = (*path, "shift")
    if value not in SHIFTS:
        yield Finding(
            "E216",
            f"shift = {quote(value)} is not one of {_CHOICES}",
            where,
            on_value=True,
            hint='"after" moves an occurrence on a rest day to the next working day, '
            '"before" to the working day before it, "none" keeps it',
            zh=f"{key_zh('shift')}写的 {quote(value)} 不认识,只能写 {_CHOICES_ZH} 之一",
            zh_hint='"after" 表示落在休息日的那一次顺延到下一个工作日,'
            '"before" 表示提前到前一个工作日,"none" 表示不调整',
        )
    elif value != "none" and path not in used:
        label, label_zh = labels()
        yield Finding(
            "W412",
            f'{label} has shift = "{value}" but no repeat: shift only moves the '
            "occurrences of a repeating task, so its due date stays as written",
            where,
            on_value=True,
            hint="remove shift, or add repeat; a one-off due date on a rest day is "
            "moved by writing the day you mean in due",
            zh=f'{label_zh} 写了 shift = "{value}",但没有设重复(repeat):shift 只调整'
            "重复任务落在休息日的那几次,这里的截止日期不会变",
            zh_hint="删掉 shift,或者加上 repeat;一次性任务的截止日期落在休息日,"
            "直接把 due 改成想要的日期",
        )
