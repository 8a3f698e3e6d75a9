"""The trend equals classify asked afresh on every day; the worked example's lights and ranks."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checklist.model import Campaign, County, Level, Lights, Person, State, Task, Unit
from checklist.status import classify, items
from checklist.trend import (
    Every,
    Light,
    Occurrence,
    Point,
    occurrences,
    ranks,
    sample_days,
    standings,
    trend,
)

START, END = dt.date(2023, 9, 9), dt.date(2023, 11, 30)
CAMPAIGN = Campaign("测试", START, END, (County("A", "甲区"), County("B", "乙区")))
MEASURES = [m.key for m in CAMPAIGN.measures]

days = st.integers(min_value=-5, max_value=(END - START).days + 5).map(
    lambda n: START + dt.timedelta(days=n)
)


@st.composite
def tasks(draw: st.DrawFn, unit: str) -> Task:
    repeat = draw(st.sampled_from([None, None, None, "weekly", "dekadly"]))
    done = tuple(sorted(draw(st.lists(days, max_size=4 if repeat else 1))))
    return Task(
        draw(st.sampled_from(MEASURES)),
        1,
        "任务",
        Person(draw(st.sampled_from(["张伟", "李强"])), None, unit),
        draw(days),
        done,
        repeat,
        postponed_from=draw(st.sampled_from([None, START])),
    )


@st.composite
def units(draw: st.DrawFn) -> list[Unit]:
    return [
        Unit(
            f"u{n}",
            f"单位{n}",
            draw(st.sampled_from(["A", "B"])),
            draw(st.sampled_from(list(Level))),
            Person("联系人", None, f"u{n}"),
            tuple(draw(st.lists(tasks(f"u{n}"), min_size=1, max_size=4))),
            f"u{n}.toml",
        )
        for n in range(draw(st.integers(min_value=0, max_value=5)))
    ]


def _brute(units: list[Unit], day: dt.date, group: str) -> dict[str, tuple[int, ...]]:
    """(tasks, due, done, done_late, overdue, open) per row on ``day``: classify, afresh."""
    rows: dict[str, Counter[str]] = {}
    for item in items(units, campaign=CAMPAIGN, as_of=day):
        key = {
            "county": item.unit.county,
            "level": item.unit.level.value,
            "measure": item.task.measure,
            "unit": item.unit.id,
            "owner": item.task.owner.key,
        }[group]
        state = classify(item.due, item.done, as_of=day, soon=0)
        count = rows.setdefault(key, Counter())
        count["tasks"] += 1
        count["due"] += item.due <= day
        count["done"] += state in (State.DONE, State.DONE_LATE)
        count["done_late"] += state is State.DONE_LATE
        count["overdue"] += state is State.OVERDUE
    return {
        key: (c["tasks"], c["due"], c["done"], c["done_late"], c["overdue"], c["tasks"] - c["done"])
        for key, c in rows.items()
    }


def _figures(point: Point) -> tuple[int, ...]:
    return (point.tasks, point.due, point.done, point.done_late, point.overdue, point.open)


@settings(max_examples=60, deadline=None)
@given(
    units(),
    st.integers(min_value=-3, max_value=(END - START).days + 10),
    st.sampled_from(["county", "level", "measure", "unit", "owner"]),
    st.sampled_from(list(Every)),
)
def test_every_day_of_the_trend_equals_classify_on_that_day(
    found: list[Unit], offset: int, group: str, every: Every
) -> None:
    as_of = START + dt.timedelta(days=offset)
    shown = sample_days(START, as_of, every)
    result = trend(occurrences(items(found, campaign=CAMPAIGN, as_of=as_of)), days=shown, by=group)
    assert result.days == shown
    for n, day in enumerate(shown):
        expected = _brute(found, day, group)
        assert {row.key: _figures(row.points[n]) for row in result.rows} == expected
        total = tuple(map(sum, zip(*expected.values(), strict=True))) or (0,) * 6
        assert _figures(result.total.points[n]) == total


@settings(max_examples=30, deadline=None)
@given(units(), st.integers(min_value=0, max_value=(END - START).days))
def test_the_last_day_equals_the_rollup_of_that_day(found: list[Unit], offset: int) -> None:
    from checklist.rollup import By, rollup

    as_of = START + dt.timedelta(days=offset)
    selected = list(items(found, campaign=CAMPAIGN, as_of=as_of))
    counted = rollup(selected, found, campaign=CAMPAIGN, by=By.COUNTY)
    result = trend(
        occurrences(selected), days=sample_days(START, as_of, Every.WEEK), keys=("A", "B")
    )
    for row, series in zip(counted.rows, result.rows, strict=True):
        last = series.last
        assert row.key == series.key
        assert (row.counts.tasks, row.counts.done, row.counts.done_late) == (
            last.tasks,
            last.done,
            last.done_late,
        )
        assert (row.counts.overdue, row.counts.open) == (last.overdue, last.open)


def test_sample_days() -> None:
    # 2023-09-01 is a Friday; the report day always ends the series.
    start = dt.date(2023, 9, 1)
    assert sample_days(start, dt.date(2023, 9, 4), Every.DAY) == tuple(
        dt.date(2023, 9, d) for d in (1, 2, 3, 4)
    )
    assert sample_days(start, dt.date(2023, 9, 18), Every.WEEK) == (
        dt.date(2023, 9, 3),
        dt.date(2023, 9, 10),
        dt.date(2023, 9, 17),
        dt.date(2023, 9, 18),
    )
    assert sample_days(start, dt.date(2024, 3, 1), Every.DEKAD)[-4:] == (
        dt.date(2024, 2, 10),
        dt.date(2024, 2, 20),
        dt.date(2024, 2, 29),  # a leap year's February ends on the 29th
        dt.date(2024, 3, 1),
    )
    assert sample_days(start, dt.date(2023, 9, 10), Every.DEKAD) == (dt.date(2023, 9, 10),)
    assert sample_days(start, dt.date(2023, 8, 1), Every.DAY) == (dt.date(2023, 8, 1),)


def test_a_trend_cannot_group_by_anything_else() -> None:
    with pytest.raises(ValueError, match="cannot group"):
        trend([], days=(START,), by="title")


# --- the worked example of docs/semantics.md ("Trend: a worked example") ------------------


def _day(d: int) -> dt.date:
    return dt.date(2023, 9, d)


def _occurrence(county: str, due: int, done: int | None) -> Occurrence:
    return Occurrence(
        _day(due), None if done is None else _day(done), False, county, "county", "study", "", ""
    )


EXAMPLE = (
    _occurrence("A", 3, 2),  # a1: done on time
    _occurrence("A", 5, 7),  # a2: done late
    _occurrence("A", 8, None),  # a3: not done
    _occurrence("A", 20, 1),  # a4: done early
    _occurrence("B", 5, None),  # b1: not done
    _occurrence("B", 6, None),  # b2: not done
    _occurrence("B", 30, 2),  # b3: done early
)


def test_the_worked_example_week_by_week() -> None:
    shown = sample_days(_day(1), _day(10), Every.WEEK)
    assert shown == (_day(3), _day(10))
    result = trend(EXAMPLE, days=shown, keys=("A", "B"))
    a, b = result.rows
    total = result.total
    # (tasks, due, done, done_late, overdue, open) on 3 and 10 September
    assert [_figures(p) for p in a.points] == [(4, 1, 2, 0, 0, 2), (4, 3, 3, 1, 1, 1)]
    assert [_figures(p) for p in b.points] == [(3, 0, 1, 0, 0, 2), (3, 2, 1, 0, 2, 2)]
    assert [_figures(p) for p in total.points] == [(7, 1, 3, 0, 0, 4), (7, 5, 4, 1, 3, 3)]
    assert a.last.expected == Fraction(3, 4)
    assert a.last.actual == Fraction(3, 4)
    assert b.last.expected == Fraction(2, 3)
    assert b.last.actual == Fraction(1, 3)
    assert round(float(total.last.expected or 0) * 100, 1) == 71.4
    assert round(float(total.last.actual or 0) * 100, 1) == 57.1
    assert [p.behind for p in a.points] == [-25, 0]
    assert [p.behind for p in b.points] == [Fraction(-100, 3), Fraction(100, 3)]
    assert round(float(total.last.behind or 0), 1) == 14.3
    lights = Lights()
    assert [r.last.light(lights) for r in (a, b, total)] == [Light.GREEN, Light.RED, Light.YELLOW]
    assert ranks(result.rows, 0) == {"A": 2, "B": 1}
    assert ranks(result.rows) == {"A": 1, "B": 2}


def test_the_worked_example_standings() -> None:
    found = standings(
        EXAMPLE, as_of=_day(10), compare=_day(3), lights=Lights(), keys=("A", "B", "C")
    )
    a, b, c = found.rows["A"], found.rows["B"], found.rows["C"]
    assert (a.rank, a.rank_then, a.rank_change, a.light) == (1, 2, 1, Light.GREEN)
    assert (b.rank, b.rank_then, b.rank_change, b.light) == (2, 1, -1, Light.RED)
    # A county without tasks has no share: no light, no rank.
    assert (c.rank, c.light, c.point.expected) == (None, None, None)
    assert found.total.rank is None
    assert found.total.light is Light.YELLOW


def test_lights_at_their_thresholds() -> None:
    lights = Lights(yellow=10, red=30)
    # 10 tasks: behind = 10 points per task due but not done.
    assert Point(START, 10, 1, 0, 0, 0).light(lights) is Light.YELLOW  # exactly 10 behind
    assert Point(START, 10, 3, 1, 0, 0).light(lights) is Light.YELLOW  # 20 behind
    assert Point(START, 10, 3, 0, 0, 0).light(lights) is Light.RED  # exactly 30 behind
    assert Point(START, 10, 0, 5, 0, 0).light(lights) is Light.GREEN  # ahead
    assert Point(START, 3, 1, 0, 0, 0).light(Lights(yellow=34, red=50)) is Light.GREEN  # 33.3


def test_ties_share_a_rank_and_the_compare_day_must_not_follow_the_report_day() -> None:
    # C is 33.3 points behind on 10 September, as B is; D 100.
    tied = (
        *EXAMPLE,
        *(_occurrence("C", 3, 2), _occurrence("C", 5, 7), _occurrence("C", 8, None)),
        _occurrence("D", 1, None),
    )
    assert ranks(trend(tied, days=(_day(10),)).rows) == {"A": 1, "B": 2, "C": 2, "D": 4}
    with pytest.raises(ValueError, match="after the report day"):
        standings(EXAMPLE, as_of=_day(3), compare=_day(10), lights=Lights())
