"""``shift``: a repeating task's occurrence on a rest day moves to a working day.

Worked by hand from the State Council's notices, with [calendar] country = "CN".

2023 National Day: Fri 29 Sep to Fri 6 Oct off, Sat 7 and Sun 8 Oct worked; Thu 28 Sep and
Mon 9 Oct are ordinary working days. A weekly task due Sun 24 Sep 2023, until 15 Oct,
falls on Sun 24 Sep, Sun 1 Oct, Sun 8 Oct, Sun 15 Oct:
- "after": 24 Sep (Sunday) → Mon 25 Sep; 1 Oct (holiday) → Sat 7 Oct (the first working
  day after it: 2–6 Oct are off); 8 Oct is worked and stays; 15 Oct → Mon 16 Oct.
- "before": 24 Sep → Fri 22 Sep; 1 Oct → Thu 28 Sep (29 and 30 Sep are off); 8 Oct stays;
  15 Oct → Fri 13 Oct.
A daily task from Thu 28 Sep to Mon 9 Oct (12 days) with "after": 28 Sep stays, the eight
rest days 29 Sep – 6 Oct all land on Sat 7 Oct and are one occurrence with it, then 8 and
9 Oct: 4 occurrences. With "before", the eight land on Thu 28 Sep: again 4.

Spring Festival 2024: Sat 10 to Sat 17 Feb off, Sun 4 and Sun 18 Feb worked, Fri 9 Feb an
ordinary working day. A weekly task due Sun 4 Feb 2024, until 25 Feb, falls on 4, 11, 18
and 25 Feb:
- "after": 4 Feb is worked and stays; 11 Feb → Sun 18 Feb (12–17 are off), one with the
  18 Feb occurrence; 25 Feb (Sunday) → Mon 26 Feb: 3 occurrences.
- "before": 4 Feb stays; 11 Feb → Fri 9 Feb (10 Feb is off); 18 Feb stays; 25 Feb → Fri
  23 Feb.
Without a [calendar] (Monday to Friday), "after" moves each of those Sundays to the Monday.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from checklist.load.campaign import load_campaign
from checklist.load.check import check_unit
from checklist.model import CalendarSettings, Campaign, County
from checklist.recur import task_dates
from conftest import CAMPAIGN_TOML, VALID_UNIT, Result

D = dt.date
CN_SETTINGS = CalendarSettings(country="CN")
CAMPAIGN = Campaign("t", D(2023, 9, 9), D(2024, 3, 31), (County("410103", "二七区"),))
CN_CAMPAIGN = replace(CAMPAIGN, calendar=CN_SETTINGS)
LONG = CAMPAIGN_TOML.replace("end = 2024-01-31", "end = 2024-03-31")
CN = LONG + '\n[calendar]\ncountry = "CN"\n'
OLD = 1_600_000_000


def _dates(
    repeat: str, due: D, until: D, shift: str, campaign: Campaign = CN_CAMPAIGN
) -> tuple[D, ...]:
    return task_dates(repeat, due=due, until=until, campaign=campaign, shift=shift)


@pytest.mark.parametrize(
    ("shift", "expected"),
    [
        ("none", (D(2023, 9, 24), D(2023, 10, 1), D(2023, 10, 8), D(2023, 10, 15))),
        ("after", (D(2023, 9, 25), D(2023, 10, 7), D(2023, 10, 8), D(2023, 10, 16))),
        ("before", (D(2023, 9, 22), D(2023, 9, 28), D(2023, 10, 8), D(2023, 10, 13))),
    ],
)
def test_a_weekly_task_over_national_day_2023(shift: str, expected: tuple[D, ...]) -> None:
    assert _dates("weekly", D(2023, 9, 24), D(2023, 10, 15), shift) == expected


@pytest.mark.parametrize(
    ("shift", "expected"),
    [
        ("after", (D(2023, 9, 28), D(2023, 10, 7), D(2023, 10, 8), D(2023, 10, 9))),
        ("before", (D(2023, 9, 28), D(2023, 10, 7), D(2023, 10, 8), D(2023, 10, 9))),
    ],
)
def test_a_daily_task_over_the_holiday_week_is_one_occurrence_a_working_day(
    shift: str, expected: tuple[D, ...]
) -> None:
    unshifted = _dates("daily", D(2023, 9, 28), D(2023, 10, 9), "none")
    assert len(unshifted) == 12
    assert _dates("daily", D(2023, 9, 28), D(2023, 10, 9), shift) == expected


@pytest.mark.parametrize(
    ("shift", "expected"),
    [
        ("after", (D(2024, 2, 4), D(2024, 2, 18), D(2024, 2, 26))),
        ("before", (D(2024, 2, 4), D(2024, 2, 9), D(2024, 2, 18), D(2024, 2, 23))),
    ],
)
def test_a_weekly_task_over_spring_festival_2024(shift: str, expected: tuple[D, ...]) -> None:
    assert _dates("weekly", D(2024, 2, 4), D(2024, 2, 25), shift) == expected


def test_without_a_calendar_weekends_are_the_rest_days() -> None:
    assert _dates("weekly", D(2024, 2, 4), D(2024, 2, 25), "after", CAMPAIGN) == (
        D(2024, 2, 5),
        D(2024, 2, 12),
        D(2024, 2, 19),
        D(2024, 2, 26),
    )


def test_a_move_out_of_the_campaign_goes_the_other_way() -> None:
    # The campaign ends Sun 31 Dec 2023; 1 Jan 2024 is New Year's Day, 2 Jan a Tuesday.
    # "after" from Sun 24 Dec is Mon 25 Dec; from Sun 31 Dec it would be Tue 2 Jan, after
    # the end, so Fri 29 Dec instead. It starts Sat 9 Sep: "before" would be Fri 8 Sep,
    # before the start, so Mon 11 Sep.
    short = replace(CN_CAMPAIGN, end=D(2023, 12, 31))
    assert _dates("weekly", D(2023, 12, 24), D(2023, 12, 31), "after", short) == (
        D(2023, 12, 25),
        D(2023, 12, 29),
    )
    assert _dates("weekly", D(2023, 9, 9), D(2023, 9, 16), "before", short) == (
        D(2023, 9, 11),
        D(2023, 9, 15),
    )


def test_a_plain_task_never_moves() -> None:
    assert task_dates(
        None, due=D(2023, 10, 1), until=None, campaign=CN_CAMPAIGN, shift="after"
    ) == (D(2023, 10, 1),)


# VALID_UNIT's first [[study.tasks]]: its due and done lines, replaced by the test's keys.
FIRST = "due = 2023-09-30\ndone = 2023-09-28\n"


def _unit(keys: str, measure: str = "") -> str:
    text = VALID_UNIT.replace(FIRST, keys)
    text = text.replace('[study]\nowner = "张伟"\n', f'[study]\nowner = "张伟"\n{measure}')
    assert text != VALID_UNIT
    return text


def _check(campaign_dir: Callable[..., Path], unit: str, campaign: str = CN):  # type: ignore[no-untyped-def]
    loaded = load_campaign(campaign_dir(campaign) / "campaign.toml")
    return check_unit(unit.encode(), file="u.toml", campaign=loaded, today=D(2023, 11, 20))


def test_the_task_keeps_its_shift_and_a_measure_gives_its_own(campaign_dir) -> None:
    daily = 'due = 2023-09-28\nrepeat = "daily"\nuntil = 2023-10-09\n'
    result = _check(campaign_dir, _unit(daily, 'shift = "after"\n'))
    assert result.problems == ()
    assert result.unit is not None
    assert [t.shift for t in result.unit.tasks if t.measure == "study"] == ["after", "after"]
    own = _check(campaign_dir, _unit(daily + 'shift = "none"\n', 'shift = "after"\n'))
    assert own.unit is not None
    assert own.unit.tasks[0].shift == "none"


# The first study task's keys start at line 19 of VALID_UNIT; [study]'s own at line 15.
@pytest.mark.parametrize(
    ("keys", "measure", "found"),
    [
        ('due = 2023-10-01\nrepeat = "weekly"\nshift = "later"\n', "", [("E216", 21, 9)]),
        ('due = 2023-10-01\nrepeat = "weekly"\nshift = "顺延"\n', "", [("E216", 21, 9)]),
        ('due = 2023-10-01\nshift = "after"\n', "", [("W412", 20, 9)]),
        ('due = 2023-10-01\nshift = "none"\n', "", []),
        ("due = 2023-10-01\n", 'shift = "before"\n', [("W412", 15, 9)]),
        ('due = 2023-10-01\nrepeat = "weekly"\n', 'shift = "before"\n', []),
        ("due = 2023-10-01\nshift = 1\n", "", [("E103", 20, 9)]),
    ],
)
def test_each_mistake_is_one_located_finding(campaign_dir, keys, measure, found) -> None:
    result = _check(campaign_dir, _unit(keys, measure))
    assert [(p.code, p.line, p.column) for p in result.problems] == found
    for problem in result.problems:
        assert problem.message_zh
        assert problem.hint_zh


def test_done_dates_count_the_merged_occurrences(campaign_dir) -> None:
    # 12 days, 4 occurrences after the shift: a fifth done date is one too many.
    daily = 'due = 2023-09-28\nrepeat = "daily"\nuntil = 2023-10-09\nshift = "after"\n'
    done = "done = [2023-09-28, 2023-10-07, 2023-10-08, 2023-10-09, 2023-10-10]\n"
    result = _check(campaign_dir, _unit(daily + done))
    assert [(p.code, p.message) for p in result.problems] == [
        (
            "E211",
            '5 done dates, but task "理论学习中心组专题学习" occurs only 4 times up to 2023-10-09',
        )
    ]


def _status(cli: Callable[..., Result], folder: Path, *more: str) -> list[tuple[str, str]]:
    result = cli("status", folder, "--as-of", "2023-10-12", "--all", "--format", "json", *more)
    assert result.code in (0, 1), result
    tasks = json.loads(result.out)["tasks"]
    return [(t["due"], t["state"]) for t in tasks if t["measure"] == "study"]


def test_status_from_the_files_and_from_the_index_agree(
    campaign_dir, write_unit, cli, answered: list[bool]
) -> None:
    campaign_dir(CN)
    weekly = 'due = 2023-09-24\nrepeat = "weekly"\nuntil = 2023-10-15\nshift = "after"\n'
    path = write_unit("erqi-test.toml", _unit(weekly + "done = [2023-09-25]\n"))
    os.utime(path, (OLD, OLD))  # long past: the index may hold it
    folder = path.parents[2]
    fresh = _status(cli, folder, "--no-cache")
    # 25 Sep done on the day; 7 and 8 Oct overdue on 12 Oct; 16 Oct due soon; the
    # second study task (the measure's due, 31 Oct) open.
    assert sorted(fresh) == [
        ("2023-09-25", "done"),
        ("2023-10-07", "overdue"),
        ("2023-10-08", "overdue"),
        ("2023-10-16", "due_soon"),
        ("2023-10-31", "open"),
    ]
    assert _status(cli, folder) == fresh  # builds the index
    assert _status(cli, folder) == fresh  # reads it
    assert answered[-1] is True
