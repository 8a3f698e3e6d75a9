"""Each task's state on the report day, worked out by hand at every boundary."""

from __future__ import annotations

import datetime as dt

import pytest

from checklist.model import Campaign, County, Item, Level, Person, State, Task, Unit
from checklist.status import classify, items, listed

D = dt.date
R = D(2023, 11, 20)  # the report day of every case below
CAMPAIGN = Campaign("测试", D(2023, 9, 9), D(2024, 1, 31), (County("410103", "二七区"),))


@pytest.mark.parametrize(
    ("due", "done", "state"),
    [
        (D(2023, 11, 20), None, State.DUE_SOON),  # due today: not late yet
        (D(2023, 11, 19), None, State.OVERDUE),  # due yesterday
        (D(2023, 11, 27), None, State.DUE_SOON),  # the last day of the 7-day window
        (D(2023, 11, 28), None, State.OPEN),  # one day beyond it
        (D(2023, 11, 10), D(2023, 11, 10), State.DONE),  # done on the due day
        (D(2023, 11, 10), D(2023, 11, 11), State.DONE_LATE),  # done a day late
        (D(2023, 11, 10), D(2023, 11, 1), State.DONE),  # done early
        (D(2023, 11, 10), D(2023, 11, 20), State.DONE_LATE),  # done late, on the report day
        (D(2023, 11, 10), D(2023, 11, 21), State.OVERDUE),  # done after the report day: not yet
        (D(2023, 11, 22), D(2023, 11, 21), State.DUE_SOON),  # the same, not yet due
    ],
)
def test_state_on_the_report_day(due: dt.date, done: dt.date | None, state: State) -> None:
    assert classify(due, done, as_of=R, soon=7) == state


def test_a_soon_window_of_zero_days_is_today_only() -> None:
    assert classify(R, None, as_of=R, soon=0) is State.DUE_SOON
    assert classify(R + dt.timedelta(days=1), None, as_of=R, soon=0) is State.OPEN


def _unit(*tasks: Task) -> Unit:
    owner = Person("王红", None, "erqi")
    return Unit("erqi", "二七区委", "410103", Level.COUNTY, owner, tasks, "erqi.toml")


def _task(**fields: object) -> Task:
    defaults: dict[str, object] = {
        "measure": "institutions",
        "index": 1,
        "title": "每月考评问效",
        "owner": Person("王红", None, "erqi"),
    }
    return Task(**(defaults | fields))  # type: ignore[arg-type]


def _states(found: list[Item]) -> list[tuple[dt.date, State, int | None]]:
    return [(i.due, i.state, i.days_overdue) for i in found]


def test_a_monthly_task_across_month_ends_one_state_per_occurrence() -> None:
    # From 10-31: 10-31, 11-30, 12-31, 01-31 (the campaign's end). Report day 12-05.
    task = _task(due=D(2023, 10, 31), repeat="monthly", done=(D(2023, 10, 31), D(2023, 12, 1)))
    found = list(items([_unit(task)], campaign=CAMPAIGN, as_of=D(2023, 12, 5), soon=7))
    assert _states(found) == [
        (D(2023, 10, 31), State.DONE, None),
        (D(2023, 11, 30), State.DONE_LATE, None),
        (D(2023, 12, 31), State.OPEN, None),
        (D(2024, 1, 31), State.OPEN, None),
    ]
    assert [i.occurrence for i in found] == [1, 2, 3, 4]


def test_occurrences_stop_at_the_campaign_end_or_until() -> None:
    weekly = _task(due=D(2024, 1, 20), repeat="weekly")
    found = list(items([_unit(weekly)], campaign=CAMPAIGN, as_of=R, soon=7))
    assert [i.due for i in found] == [D(2024, 1, 20), D(2024, 1, 27)]
    until = _task(due=D(2023, 11, 1), repeat="weekly", until=D(2023, 11, 15))
    found = list(items([_unit(until)], campaign=CAMPAIGN, as_of=R, soon=7))
    assert _states(found) == [
        (D(2023, 11, 1), State.OVERDUE, 19),
        (D(2023, 11, 8), State.OVERDUE, 12),
        (D(2023, 11, 15), State.OVERDUE, 5),
    ]


def test_the_nth_done_date_completes_the_nth_occurrence_even_when_early() -> None:
    # Two done dates for a weekly task: occurrences one and two are done, three is overdue.
    task = _task(
        due=D(2023, 11, 1),
        repeat="weekly",
        until=D(2023, 11, 15),
        done=(D(2023, 11, 1), D(2023, 11, 2)),
    )
    found = list(items([_unit(task)], campaign=CAMPAIGN, as_of=R, soon=7))
    assert [i.state for i in found] == [State.DONE, State.DONE, State.OVERDUE]
    assert [i.done for i in found] == [D(2023, 11, 1), D(2023, 11, 2), None]


def test_a_plain_task_is_one_item_with_no_occurrence_number() -> None:
    task = _task(due=D(2023, 11, 10), done=(D(2023, 11, 12),))
    (item,) = items([_unit(task)], campaign=CAMPAIGN, as_of=R, soon=7)
    assert (item.occurrence, item.state, item.done) == (0, State.DONE_LATE, D(2023, 11, 12))


def test_listed_is_overdue_only_most_overdue_first_unless_asked_for_more() -> None:
    tasks = (
        _task(index=1, due=D(2023, 11, 15)),  # overdue 5 days
        _task(index=2, due=D(2023, 11, 22)),  # due soon
        _task(index=3, due=D(2023, 11, 1)),  # overdue 19 days
        _task(index=4, due=D(2023, 11, 1), done=(D(2023, 11, 1),)),  # done
    )
    found = list(items([_unit(*tasks)], campaign=CAMPAIGN, as_of=R, soon=7))

    def indexes(**asked: bool) -> list[int]:
        return [i.task.index for i in listed(found, campaign=CAMPAIGN, **asked)]

    assert indexes(everything=False, soon=False) == [3, 1]
    assert indexes(everything=False, soon=True) == [3, 1, 2]
    assert indexes(everything=True, soon=False) == [3, 1, 2, 4]
