"""How the campaign moved: rollup's counts on every day (or week, or dekad), and the lights.

An occurrence's state is a step function of the day, so each one adds a few +1/-1
steps to its row's tally on the days its state changes; one pass over the occurrences
and a running sum give every day at once (docs/semantics.md, "Trend").
"""

from __future__ import annotations

import calendar
import datetime as dt
import enum
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from itertools import accumulate
from typing import NamedTuple

from checklist.filters import Filters
from checklist.model import Campaign, Item, Lights, Task, Unit
from checklist.rollup import By, Rollup, Sort, rollup, select


class Every(enum.StrEnum):
    DAY = "day"
    WEEK = "week"  # each Sunday
    DEKAD = "dekad"  # the 10th, the 20th and the last day of each month


class Light(enum.StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


# The keys a trend can be grouped by (rollup's --by, but owner, whose rows need its names).
GROUPS = ("county", "level", "measure", "unit", "owner")


class Occurrence(NamedTuple):
    """One task occurrence, day-independent: what a trend needs, wherever it comes from.

    A NamedTuple, not a dataclass: a city has 170,000 of them, and a tuple is made
    three times faster. trend() reads them by position, so a store's rows in this
    column order (``Occurrence._make(row)``) serve as they are.
    """

    due: dt.date
    done: dt.date | None
    postponed: bool
    county: str
    level: str
    measure: str
    unit: str
    owner: str  # Person.key


def occurrences(items: Iterable[Item]) -> Iterator[Occurrence]:
    """The occurrences of status.items (done dates after their report day are already None)."""
    make = Occurrence._make
    task: Task | None = None
    keys: tuple[object, ...] = ()
    for item in items:
        if item.task is not task:  # a repeating task's occurrences come one after another
            task, unit = item.task, item.unit
            keys = (
                task.postponed_from is not None,
                unit.county,
                unit.level.value,
                task.measure,
                unit.id,
                task.owner.key,
            )
        yield make((item.due, item.done, *keys))


@dataclass(frozen=True, slots=True)
class Point:
    """One row on one day: rollup's counts as they stood then.

    ``tasks`` is all the row's tasks in the campaign (it does not change with the day);
    ``due`` those due by the day; ``done`` those done by it, on time or late.
    """

    day: dt.date
    tasks: int
    due: int
    done: int
    done_late: int
    overdue: int

    @property
    def open(self) -> int:
        return self.tasks - self.done

    @property
    def expected(self) -> Fraction | None:
        """Expected progress (序时进度): the share of the row's tasks due by the day."""
        return Fraction(self.due, self.tasks) if self.tasks else None

    @property
    def actual(self) -> Fraction | None:
        """The share of the row's tasks done by the day."""
        return Fraction(self.done, self.tasks) if self.tasks else None

    @property
    def behind(self) -> Fraction | None:
        """Percentage points the done share trails the expected one (negative: ahead)."""
        return Fraction(100 * (self.due - self.done), self.tasks) if self.tasks else None

    def light(self, lights: Lights) -> Light | None:
        """Red from ``lights.red`` points behind, yellow from ``lights.yellow``, else green."""
        behind = self.behind
        if behind is None:
            return None
        if behind >= lights.red:
            return Light.RED
        return Light.YELLOW if behind >= lights.yellow else Light.GREEN


@dataclass(frozen=True, slots=True)
class Series:
    """One row's counts, a column per count with a value per day of the trend.

    Columns, not a Point per day: 10,000 units over 145 days are 1.45 million points,
    and a report reads most rows on one day only.
    """

    key: str
    days: tuple[dt.date, ...]
    tasks: int
    due: tuple[int, ...]
    done: tuple[int, ...]
    done_late: tuple[int, ...]
    overdue: tuple[int, ...]
    name: str = ""  # what the roll-up calls the row
    county: str | None = None  # the county code, where the row belongs to one county

    def point(self, n: int) -> Point:
        """The row on its ``n``-th day (-1: the last, the report day)."""
        return Point(
            self.days[n], self.tasks, self.due[n], self.done[n], self.done_late[n], self.overdue[n]
        )

    @property
    def points(self) -> tuple[Point, ...]:
        return tuple(self.point(n) for n in range(len(self.days)))

    @property
    def last(self) -> Point:
        return self.point(-1)


@dataclass(frozen=True, slots=True)
class Trend:
    by: str
    days: tuple[dt.date, ...]
    rows: tuple[Series, ...]
    total: Series


def sample_days(start: dt.date, as_of: dt.date, every: Every) -> tuple[dt.date, ...]:
    """The days a trend shows: each day, Sunday or dekad end from ``start``, and ``as_of``.

    The report day always ends the series, so its last point is the roll-up's day; a
    report day before the start gives that one day.
    """
    if as_of < start:
        return (as_of,)
    days = []
    day = start
    while day < as_of:
        if every is Every.DAY or _ends(day, every):
            days.append(day)
        day += dt.timedelta(days=1)
    days.append(as_of)
    return tuple(days)


def _ends(day: dt.date, every: Every) -> bool:
    if every is Every.WEEK:
        return day.isoweekday() == 7
    last = calendar.monthrange(day.year, day.month)[1]
    return day.day in (10, 20, last)


# A row's running tally: tasks, due, done, done_late, overdue (per slot, then summed).
_WIDTH = 5


def trend(
    occurrences: Iterable[Occurrence],
    *,
    days: Sequence[dt.date],
    by: str = "county",
    keys: Sequence[str] = (),
) -> Trend:
    """Tally each row on each of ``days`` (ascending) in one pass, then a running sum.

    ``keys`` are the rows shown even when empty, in order; other rows follow in the
    order they are met.
    """
    if by not in GROUPS:
        raise ValueError(f"cannot group a trend by {by!r}")
    field = Occurrence._fields.index(by)
    counted = ((o[field], o.due, o.done, 1) for o in occurrences)
    return tally(counted, days=days, by=by, keys=keys)  # type: ignore[arg-type]


def tally(
    counted: Iterable[tuple[str, dt.date, dt.date | None, int]],
    *,
    days: Sequence[dt.date],
    by: str,
    keys: Sequence[str] = (),
) -> Trend:
    """trend() over (row key, due, done, how many) — occurrences, or an index's counts.

    Each occurrence adds +1 to a count on the day it starts to hold and -1 on the day
    it stops; a change before the first day counts from the first day, one after the
    last is never seen.
    """
    if not days:
        raise ValueError("a trend needs at least one day")
    first, last = days[0].toordinal(), days[-1].toordinal()
    # slot[d - first]: the first shown day on or after day d.
    slot, k = [], 0
    for ordinal in range(first, last + 1):
        if days[k].toordinal() < ordinal:
            k += 1
        slot.append(k)
    size = len(days) * _WIDTH
    steps: dict[str, list[int]] = {key: [0] * size for key in keys}
    for key, due_day, done_day, n in counted:
        row = steps.get(key)
        if row is None:
            row = steps[key] = [0] * size
        # The steps of one occurrence, inline: 170,000 calls are a third of the time.
        row[0] += n  # tasks: on every day, whatever the state
        due = due_day.toordinal()
        if due <= last:
            row[_WIDTH * slot[due - first if due > first else 0] + 1] += n
        done = done_day.toordinal() if done_day is not None else last + 1
        if done <= last:  # done from its done day on, and done late when after the due day
            at = _WIDTH * slot[done - first if done > first else 0]
            row[at + 2] += n
            if done > due:
                row[at + 3] += n
        # Overdue from the day after the due day until the day before the done day.
        if done > due + 1 and due + 1 <= last:
            row[_WIDTH * slot[due + 1 - first if due + 1 > first else 0] + 4] += n
            if done <= last:
                row[_WIDTH * slot[done - first if done > first else 0] + 4] -= n
    shown = tuple(days)
    rows = tuple(_series(key, row, shown) for key, row in steps.items())
    total = [sum(column) for column in zip(*(row for row in steps.values()), strict=True)]
    return Trend(by, shown, rows, _series("total", total or [0] * size, shown))


def _series(key: str, row: list[int], days: tuple[dt.date, ...]) -> Series:
    return Series(
        key,
        days,
        row[0],
        *(tuple(accumulate(row[k::_WIDTH])) for k in range(1, _WIDTH)),  # type: ignore[arg-type]
    )


# --- standing: the lights and the rank on the report day ----------------------------------


@dataclass(frozen=True, slots=True)
class Standing:
    """A row on the report day against expected progress, and its rank then and before."""

    point: Point
    light: Light | None
    rank: int | None  # None for the total and for a row without tasks
    rank_then: int | None  # on the compare day

    @property
    def rank_change(self) -> int | None:
        """Places climbed since the compare day (negative: fallen)."""
        if self.rank is None or self.rank_then is None:
            return None
        return self.rank_then - self.rank


def ranks(rows: Iterable[Series], index: int = -1) -> dict[str, int]:
    """Rank rows on their ``index``-th day: least behind first, equal ones sharing a rank.

    Rows without tasks have no share to rank by and are left out (1, 1, 3: two first).
    """
    behind = {r.key: b for r in rows if (b := r.point(index).behind) is not None}
    order = sorted(behind.values())
    first: dict[Fraction, int] = {}
    for place, value in enumerate(order, 1):
        first.setdefault(value, place)
    return {key: first[value] for key, value in behind.items()}


@dataclass(frozen=True, slots=True)
class Standings:
    compare: dt.date
    lights: Lights
    rows: Mapping[str, Standing]
    total: Standing


def standings(
    occurrences: Iterable[Occurrence],
    *,
    as_of: dt.date,
    compare: dt.date,
    lights: Lights,
    by: str = "county",
    keys: Sequence[str] = (),
) -> Standings:
    """Each row's standing on ``as_of``, and the total's, ranked against ``compare``.

    The compare day may not come after the report day: done dates after it are unknown.
    """
    if compare > as_of:
        raise ValueError(f"the compare day {compare} comes after the report day {as_of}")
    days = (compare, as_of) if compare < as_of else (as_of,)
    result = trend(occurrences, days=days, by=by, keys=keys)
    now, then = ranks(result.rows), ranks(result.rows, 0)
    found = {
        row.key: Standing(row.last, row.last.light(lights), now.get(row.key), then.get(row.key))
        for row in result.rows
    }
    last = result.total.last
    return Standings(compare, lights, found, Standing(last, last.light(lights), None, None))


# --- a campaign's trend and standing, from its units -------------------------------------


def campaign_trend(
    units: Iterable[Unit],
    *,
    campaign: Campaign,
    as_of: dt.date,
    filters: Filters,
    by: By = By.COUNTY,
    every: Every = Every.WEEK,
) -> Trend:
    """The trend of the units and tasks the filters keep, with the roll-up's rows and names."""
    selected, kept, view = select(units, campaign=campaign, as_of=as_of, soon=0, filters=filters)
    frame = {row.key: (row.name, row.county) for row in rollup((), kept, campaign=view, by=by).rows}
    days = sample_days(campaign.start, as_of, every)
    if by in (By.GROUP, By.SECTOR):
        from checklist.groups import field_trend

        result = field_trend(selected, kept, campaign=view, days=days, by=by, keys=tuple(frame))
    else:
        result = trend(occurrences(selected), days=days, by=by.value, keys=tuple(frame))
    return named(result, frame)


def named(result: Trend, frame: Mapping[str, tuple[str, str | None]]) -> Trend:
    """The trend's rows with the roll-up's names and counties (key: name, county)."""
    rows = tuple(
        replace(s, name=frame[s.key][0], county=frame[s.key][1]) if s.key in frame else s
        for s in result.rows
    )
    return replace(result, rows=rows, total=replace(result.total, name="total"))


def rollup_standings(
    units: Iterable[Unit],
    *,
    campaign: Campaign,
    as_of: dt.date,
    compare: dt.date,
    soon: int,
    filters: Filters,
    by: By = By.COUNTY,
    sort: Sort | None = None,
) -> tuple[Rollup, Standings]:
    """The roll-up of the report day, and each row's light and rank against ``compare``."""
    selected, kept, view = select(units, campaign=campaign, as_of=as_of, soon=soon, filters=filters)
    result = rollup(selected, kept, campaign=view, by=by, sort=sort)
    if by in (By.GROUP, By.SECTOR):
        from checklist.groups import field_standings

        keys = tuple(r.key for r in result.rows)
        found_by = field_standings(
            selected, kept, campaign=view, as_of=as_of, compare=compare, by=by, keys=keys
        )
        return result, found_by
    found = standings(
        occurrences(selected),
        as_of=as_of,
        compare=compare,
        lights=campaign.lights,
        by=by.value,
        keys=tuple(r.key for r in result.rows),
    )
    return result, found
