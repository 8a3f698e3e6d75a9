"""Rules on dates: due inside the campaign, done neither in the future nor before the start."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from checklist.model import Campaign
from checklist.rules.context import Context, good
from checklist.rules.registry import Finding, KeyPath, unit_rule


@unit_rule("E206", "E207", "E208")
def check_dates(doc: dict[str, Any], ctx: Context) -> Iterator[Finding]:
    """Due dates inside the campaign; done dates neither in the future nor before the start."""
    campaign = ctx.campaign
    start, end, today = campaign.start, campaign.end, ctx.today
    for measure in campaign.measures:
        due = good(doc.get(measure.key), "due")
        if isinstance(due, dt.date) and not start <= due <= end:
            yield from _due_in_campaign(due, (measure.key, "due"), campaign)
    for entry in ctx.entries:
        table = entry.table
        if entry.index:
            due = table.get("due")
            if isinstance(due, dt.date) and not start <= due <= end:
                yield from _due_in_campaign(due, (*entry.path, "due"), campaign)
        done = table.get("done")
        if isinstance(done, dt.date):
            if not start <= done <= today:
                yield _done_when(done, (*entry.path, "done"), ctx)
        elif isinstance(done, list):
            for i, day in enumerate(done):
                if not start <= day <= today:
                    yield _done_when(day, (*entry.path, "done", i), ctx)


def _done_when(day: dt.date, path: KeyPath, ctx: Context) -> Finding:
    """E207 for a done date in the future, else E208 for one before the campaign."""
    if day > ctx.today:
        return Finding(
            "E207",
            f"done date {day} is in the future (today is {ctx.today})",
            path,
            on_value=True,
            hint="record a task as done on or after the "
            "day it was done; fix a typo in the year or month",
            zh=f"完成日期 {day} 在今天({ctx.today})之后,还没到",
            zh_hint="任务做完的当天或之后再写完成日期;如果是年份或月份写错了,请改正",
        )
    start = ctx.campaign.start
    return Finding(
        "E208",
        f"done date {day} is before the campaign started ({start})",
        path,
        on_value=True,
        hint="fix the date; work before the start is not part of it",
        zh=f"完成日期 {day} 早于活动开始的日期 {start}",
        zh_hint="请改正日期;活动开始之前做的工作不算在内",
    )


def _due_in_campaign(due: dt.date, path: KeyPath, campaign: Campaign) -> Iterator[Finding]:
    if not campaign.start <= due <= campaign.end:
        early = due < campaign.start
        side = "before the campaign starts" if early else "after the campaign ends"
        side_zh = "在活动开始之前" if early else "在活动结束之后"
        yield Finding(
            "E206",
            f"due date {due} is {side} ({campaign.start} to {campaign.end})",
            path,
            on_value=True,
            hint=f"choose a day from {campaign.start} to {campaign.end}",
            zh=f"截止日期 {due} {side_zh}(活动时间是 {campaign.start} 到 {campaign.end})",
            zh_hint=f"在 {campaign.start} 到 {campaign.end} 之间选一天",
        )
