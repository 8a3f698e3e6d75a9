"""A rest spell longer than 31 days: what the first working day after it says.

remind catches up only the last 31 days of a spell (remind/plan.py MAX_QUIET_DAYS). Worked
by hand: a campaign that lists every weekday from Wed 1 Nov to Fri 15 Dec 2023 as a
holiday rests from 1 Nov to Sun 17 Dec (47 days); Mon 18 Dec is the first working day, and
it says the 30 rest days 18 Nov – 17 Dec and itself; 1 – 17 Nov are not looked at.

With overdue_every at most 31 and every advance day at most 30 (the defaults: 7, 3, 1, 0
and 3), nothing about a task still open is lost: a task that one of the days not looked at
would have spoken of is overdue by 18 Dec or due within 30 days of it, and the last 31
days hold one of its overdue days (31 days in a row always hold one day of a cadence of 31
or less) or one of its advance days. What would have been said of each task on each day
is computed here on its own, from the plain rule, for tasks due 15 Oct to 31 Dec. Past
those bounds a reminder can fall in the part not looked at: with advance_days = [40], a
task due Wed 20 Dec would have been reminded on Fri 10 Nov, and is not (docs/calendar.md).
"""

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
    Person,
    RemindConfig,
    Task,
    Unit,
)
from checklist.remind.plan import MessageKind, plan, said_on
from checklist.status import items

D = dt.date
SPELL = tuple(
    D(2023, 11, 1) + dt.timedelta(days=i)
    for i in range(45)
    if (D(2023, 11, 1) + dt.timedelta(days=i)).weekday() < 5
)
CAMPAIGN = Campaign(
    "测试",
    D(2023, 9, 9),
    D(2024, 1, 31),
    (County("410103", "二七区"),),
    calendar=CalendarSettings(holidays=SPELL),
)
MONDAY = D(2023, 12, 18)
DUES = [D(2023, 10, 15) + dt.timedelta(days=i) for i in range(78)]  # 15 Oct to 31 Dec


def _units() -> list[Unit]:
    """One unit per due date, its one task open, owned by a person named for the date."""
    found = []
    for due in DUES:
        uid = due.isoformat()
        owner = Person(uid, None, uid)
        task = Task("study", 1, "任务", owner, due)
        found.append(Unit(uid, uid, "410103", Level.COUNTY, owner, (task,), f"{uid}.toml"))
    return found


def _would_say(due: D, day: D, config: RemindConfig) -> bool:
    """The plain rule on one day, by itself: advance days, then overdue day 1 and every n."""
    ahead = (due - day).days
    if ahead >= 0:
        return ahead in config.advance_days
    late = -ahead
    return (late - 1) % config.overdue_every == 0


def _told(campaign: Campaign) -> set[str]:
    tonight = plan(
        items(_units(), campaign=campaign, as_of=MONDAY, soon=7),
        campaign=campaign,
        as_of=MONDAY,
        lang=Lang.EN,
    )
    return {m.recipient.name for m in tonight if m.kind is MessageKind.OWNER}


def test_the_spell_is_47_days_and_the_last_31_are_said() -> None:
    days = said_on(CAMPAIGN.calendar, MONDAY)
    assert (days[0], days[-1], len(days)) == (D(2023, 11, 18), MONDAY, 31)
    assert said_on(CAMPAIGN.calendar, D(2023, 11, 20)) == ()  # a Monday of the spell: quiet


def test_with_the_defaults_nothing_of_the_whole_spell_is_lost() -> None:
    spell = [D(2023, 11, 1) + dt.timedelta(days=i) for i in range(48)]  # 1 Nov to 18 Dec
    config = CAMPAIGN.remind
    expected = {d.isoformat() for d in DUES if any(_would_say(d, day, config) for day in spell)}
    told = _told(CAMPAIGN)
    assert told == expected
    # Not trivially: tasks due before the spell and those due after it are among them.
    assert {"2023-10-20", "2023-11-05", "2023-12-25"} <= told
    assert "2023-12-26" not in told  # 8 days ahead on Monday: no day of the spell says it


@pytest.mark.parametrize(
    ("advance", "due", "day"),
    [(40, D(2023, 12, 20), D(2023, 11, 10)), (31, D(2023, 12, 18), D(2023, 11, 17))],
)
def test_an_advance_day_beyond_30_can_fall_in_the_part_not_said(
    advance: int, due: D, day: D
) -> None:
    campaign = replace(CAMPAIGN, remind=RemindConfig(advance_days=(advance,)))
    assert due - dt.timedelta(days=advance) == day  # in the spell, before 18 Nov: not said
    assert due.isoformat() not in _told(campaign)
    # At 30 days ahead nothing is lost: a task due 17 Dec misses its advance day, 17 Nov,
    # but Monday is its first day overdue, and is said.
    thirty = replace(CAMPAIGN, remind=RemindConfig(advance_days=(30,)))
    assert "2023-12-17" in _told(thirty)
