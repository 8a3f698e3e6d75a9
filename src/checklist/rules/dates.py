"""Rules on dates: due inside the campaign, done neither in the future nor before the start."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from checklist.model import Campaign
from checklist.rules.context import Context, entries, good
from checklist.rules.registry import Finding, KeyPath, unit_rule


@unit_rule("E206", "E207", "E208")
def check_dates(doc: dict[str, Any], ctx: Context) -> Iterator[Finding]:
    """Due dates inside the campaign; done dates neither in the future nor before the start."""
    campaign = ctx.campaign
    for measure in campaign.measures:
        due = good(doc.get(measure.key), "due")
        if isinstance(due, dt.date):
            yield from _due_in_campaign(due, (measure.key, "due"), campaign)
    for entry in entries(doc, campaign):
        if entry.index:
            due = good(entry.table, "due")
            if isinstance(due, dt.date):
                yield from _due_in_campaign(due, (*entry.path, "due"), campaign)
        done = good(entry.table, "done")
        dated = (
            [((*entry.path, "done"), done)]
            if isinstance(done, dt.date)
            else [((*entry.path, "done", i), d) for i, d in enumerate(done or ())]
        )
        for path, day in dated:
            if day > ctx.today:
                yield Finding(
                    "E207",
                    f"done date {day} is in the future (today is {ctx.today})",
                    path,
                    on_value=True,
                    hint="record a task as done on or after the "
                    "day it was done; fix a typo in the year or month",
                )
            elif day < campaign.start:
                yield Finding(
                    "E208",
                    f"done date {day} is before the campaign started ({campaign.start})",
                    path,
                    on_value=True,
                    hint="fix the date; work before the start is not part of it",
                )


def _due_in_campaign(due: dt.date, path: KeyPath, campaign: Campaign) -> Iterator[Finding]:
    if not campaign.start <= due <= campaign.end:
        side = "before the campaign starts" if due < campaign.start else "after the campaign ends"
        yield Finding(
            "E206",
            f"due date {due} is {side} ({campaign.start} to {campaign.end})",
            path,
            on_value=True,
            hint=f"choose a day from {campaign.start} to {campaign.end}",
        )
