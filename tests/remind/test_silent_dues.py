"""A report from the index leaves out the tasks due on a "silent" day (remind/plan.py
silent_dues): no message tonight can hold them. Checked here against the plan itself: on
every day of a campaign, with a calendar (rest days said on the next working day, days
overdue in working days) and liaison groups, the night planned from every task equals the
night planned without those tasks, and some nights do leave tasks out."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from checklist.i18n import Lang
from checklist.model import (
    CalendarSettings,
    Campaign,
    County,
    Level,
    LiaisonGroup,
    Person,
    RemindConfig,
    Task,
    Unit,
)
from checklist.remind.plan import plan, silent_dues
from checklist.status import items

D = dt.date
START, END = D(2023, 9, 9), D(2023, 12, 31)
# A week of national holidays with a make-up Saturday, and a long weekend in November.
OFF = (*(D(2023, 9, 29) + dt.timedelta(days=i) for i in range(8)), D(2023, 11, 10))
BASE = Campaign("测试", START, END, (County("A", "甲区"), County("B", "乙区")))
CAMPAIGNS = {
    "plain": BASE,
    "rest days": replace(BASE, calendar=CalendarSettings(holidays=OFF, workdays=(D(2023, 10, 7),))),
    "working days": replace(
        BASE,
        calendar=CalendarSettings(holidays=OFF, workdays=(D(2023, 10, 7),), count="workdays"),
    ),
    "groups first": replace(
        BASE,
        remind=RemindConfig(advance_days=(5, 2), overdue_every=4, escalate_after=9, group_after=6),
        groups=(LiaisonGroup("一组", "赵 <zhao@example.cn>", counties=("A",)),),
    ),
}


def _units() -> list[Unit]:
    """Two units (one per county), each a task due every day of the campaign, some done."""
    found = []
    for uid, county in (("a1", "A"), ("b1", "B")):
        owner, contact = Person("张伟", None, uid), Person("王红", None, uid)
        tasks = []
        for n in range((END - START).days + 1):
            due = START + dt.timedelta(days=n)
            done = (due + dt.timedelta(days=n % 5 - 1),) if n % 7 == 0 else ()
            tasks.append(Task("study", n + 1, f"任务{n}", owner, due, done, id=f"t{n}"))
        found.append(Unit(uid, uid, county, Level.GRASSROOTS, contact, tuple(tasks), f"{uid}.toml"))
    return found


@pytest.mark.parametrize("name", list(CAMPAIGNS))
def test_the_tasks_left_out_are_in_no_message_on_any_day(name: str) -> None:
    campaign, units, left_out = CAMPAIGNS[name], _units(), 0
    soon = max(campaign.remind.advance_days)
    for k in range(0, (END - START).days, 2):
        day = START + dt.timedelta(days=k)
        every = list(items(units, campaign=campaign, as_of=day, soon=soon))
        silent = silent_dues(campaign, day, soon)
        kept = [i for i in every if i.due not in silent]
        left_out += len(every) - len(kept)
        assert plan(kept, campaign=campaign, as_of=day, lang=Lang.ZH) == plan(
            every, campaign=campaign, as_of=day, lang=Lang.ZH
        ), day
    assert left_out > 100  # the filter is not vacuous
