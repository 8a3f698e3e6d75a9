"""Working days: the official holidays and make-up workdays (调休), and the campaign's own.

One ``Calendar`` value, built once from ``[calendar]`` in campaign.toml, answers every
question: is a day a working day, which is the n-th working day after one, how many
working days lie between two. Without a country it is the plain week (Monday to Friday).
"""

from __future__ import annotations

import bisect
import datetime as dt
import enum
import functools
from collections.abc import Callable
from dataclasses import dataclass

from checklist.dates import FIRST_DAY, LAST_DAY
from checklist.errors import ConfigError
from checklist.model import CalendarSettings


class DayKind(enum.StrEnum):
    """What a day is, as `checklist calendar` marks it."""

    WORKDAY = "workday"
    WEEKEND = "weekend"
    HOLIDAY = "holiday"  # a rest day by decree (or by the campaign), weekend or not
    MAKEUP = "makeup"  # a Saturday or Sunday that is a working day (调休上班)


@dataclass(frozen=True, slots=True)
class Calendar:
    """Which days are worked. Build it with ``calendar_of``; compare it by its settings."""

    settings: CalendarSettings
    holidays: frozenset[dt.date]  # rest days by decree or by the campaign, weekends included
    makeup: frozenset[dt.date]  # working days by decree or by the campaign
    covered: frozenset[int]  # the years the country's calendar publishes; empty without one
    # Mondays to Fridays off and weekends worked, sorted: workdays_between counts with them.
    _off: tuple[int, ...]
    _on: tuple[int, ...]

    @property
    def counts_workdays(self) -> bool:
        """Whether days overdue are counted in working days (``count = "workdays"``)."""
        return self.settings.count == "workdays"

    def is_workday(self, day: dt.date) -> bool:
        return day in self.makeup if day.weekday() >= 5 else day not in self.holidays

    def kind(self, day: dt.date) -> DayKind:
        if day in self.holidays:
            return DayKind.HOLIDAY
        if day.weekday() >= 5:
            return DayKind.MAKEUP if day in self.makeup else DayKind.WEEKEND
        return DayKind.WORKDAY

    def add_workdays(self, day: dt.date, n: int) -> dt.date:
        """The n-th working day after ``day`` (before it for a negative n); ``day`` for 0.

        "Within 5 working days of 28 Sep 2023" is ``add_workdays(2023-09-28, 5)``: 11 Oct,
        since 29 Sep – 6 Oct were off and 7–8 Oct worked.
        """
        step = 1 if n > 0 else -1
        left = abs(n)
        while left:
            if not FIRST_DAY < day < LAST_DAY:
                return day  # a campaign never reaches the ends of the calendar
            day += dt.timedelta(days=step)
            left -= self.is_workday(day)
        return day

    def workdays_between(self, a: dt.date, b: dt.date) -> int:
        """How many working days follow ``a`` up to and including ``b`` (negative if b < a).

        A task due on Friday is 1 working day overdue on Monday, 0 on Saturday.
        """
        return self._upto(b.toordinal()) - self._upto(a.toordinal())

    def _upto(self, ordinal: int) -> int:
        # Day 1 (1 January of year 1) is a Monday: each week has five weekdays.
        weekdays = 5 * (ordinal // 7) + min(ordinal % 7, 5)
        off = bisect.bisect_right(self._off, ordinal)
        on = bisect.bisect_right(self._on, ordinal)
        return weekdays - off + on

    def shift_off_rest(self, day: dt.date, how: str) -> dt.date:
        """A rest day moved to the working day ``before`` or ``after`` it; else ``day``."""
        if how == "none" or self.is_workday(day):
            return day
        return self.add_workdays(day, -1 if how == "before" else 1)

    def unpublished(self, first: dt.date, last: dt.date) -> tuple[int, ...]:
        """The years from ``first`` to ``last`` the country's calendar does not cover yet.

        A year for which the campaign lists days of its own is taken as done by hand.
        """
        if self.settings.country is None:
            return ()
        own = {d.year for d in (*self.settings.holidays, *self.settings.workdays)}
        years = range(first.year, last.year + 1)
        return tuple(y for y in years if y not in self.covered and y not in own)


PLAIN_WEEK = CalendarSettings()


@functools.lru_cache(maxsize=8)
def calendar_of(settings: CalendarSettings = PLAIN_WEEK) -> Calendar:
    """The calendar ``[calendar]`` describes: the country's days, then the campaign's.

    The campaign's own ``holidays`` and ``workdays`` override the country's; a day in
    both of its lists is a working day.
    """
    holidays: set[dt.date] = set()
    makeup: set[dt.date] = set()
    covered: frozenset[int] = frozenset()
    if settings.country == "CN":
        holidays, makeup, covered = _china()
    holidays |= set(settings.holidays)
    makeup -= set(settings.holidays)
    makeup |= set(settings.workdays)
    holidays -= set(settings.workdays)
    off = sorted(d.toordinal() for d in holidays if d.weekday() < 5)
    on = sorted(d.toordinal() for d in makeup if d.weekday() >= 5)
    return Calendar(
        settings, frozenset(holidays), frozenset(makeup), covered, tuple(off), tuple(on)
    )


def _china() -> tuple[set[dt.date], set[dt.date], frozenset[int]]:
    """The State Council's holidays and make-up workdays, from the chinesecalendar package."""
    try:
        # Imported here only: most commands never need it, and start-up stays lean.
        from chinese_calendar import constants  # type: ignore[import-untyped]
    except ImportError:
        raise ConfigError(
            '[calendar] country = "CN" needs the chinesecalendar package: '
            "pip install chinesecalendar",
            zh='[calendar] country = "CN" 需要安装 chinesecalendar:pip install chinesecalendar',
        ) from None
    holidays = set(constants.holidays)
    makeup = set(constants.workdays)
    years = {d.year for d in holidays}
    return holidays, makeup, frozenset(range(min(years), max(years) + 1))


def dekads(year: int, month: int) -> tuple[tuple[dt.date, dt.date], ...]:
    """The month's three dekads (上旬, 中旬, 下旬): 1–10, 11–20, 21 to the month's end."""
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    last = nxt - dt.timedelta(days=1)
    return (
        (dt.date(year, month, 1), dt.date(year, month, 10)),
        (dt.date(year, month, 11), dt.date(year, month, 20)),
        (dt.date(year, month, 21), last),
    )


@dataclass(frozen=True, slots=True)
class Dekad:
    start: dt.date
    end: dt.date
    workdays: int
    rest_days: int


@dataclass(frozen=True, slots=True)
class Month:
    """One month as `checklist calendar` shows it: each day's kind, and its dekads."""

    year: int
    month: int
    days: tuple[tuple[dt.date, DayKind], ...]
    dekads: tuple[Dekad, ...]
    unpublished: bool  # the country's calendar does not cover this year: weekends only

    @property
    def workdays(self) -> int:
        return sum(d.workdays for d in self.dekads)


def month_of(calendar: Calendar, year: int, month: int) -> Month:
    """The month's days marked (holiday, make-up workday, weekend) and its three dekads."""
    parts = []
    days: list[tuple[dt.date, DayKind]] = []
    for start, end in dekads(year, month):
        span = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
        days.extend((d, calendar.kind(d)) for d in span)
        worked = sum(calendar.is_workday(d) for d in span)
        parts.append(Dekad(start, end, worked, len(span) - worked))
    first = dt.date(year, month, 1)
    return Month(year, month, tuple(days), tuple(parts), bool(calendar.unpublished(first, first)))


def month_to_dict(month: Month, calendar: Calendar) -> dict[str, object]:
    """The month as `calendar --format json` writes it (docs/calendar.md)."""
    return {
        "month": f"{month.year:04d}-{month.month:02d}",
        "country": calendar.settings.country,
        "published": not month.unpublished,
        "workdays": month.workdays,
        "days": [
            {
                "date": day.isoformat(),
                "weekday": day.isoweekday(),
                "kind": str(kind),
                "workday": kind in (DayKind.WORKDAY, DayKind.MAKEUP),
            }
            for day, kind in month.days
        ],
        "dekads": [
            {
                "dekad": n,
                "start": d.start.isoformat(),
                "end": d.end.isoformat(),
                "workdays": d.workdays,
                "rest_days": d.rest_days,
            }
            for n, d in enumerate(month.dekads, 1)
        ],
    }


def parse_month(text: str) -> tuple[int, int]:
    """``--month 2023-10`` (or 2023/10, 2023-1) as (year, month); else a UsageError."""
    from checklist.errors import UsageError
    from checklist.words import printable

    year, _, month = text.strip().replace("/", "-").partition("-")
    known = year.isdigit() and month.isdigit() and len(year) == 4 and 1 <= int(month) <= 12
    if known and FIRST_DAY.year <= int(year) <= LAST_DAY.year:
        return int(year), int(month)
    raise UsageError.said("calendar.bad_month", given=printable(text[:40]))


def overdue_counter(settings: CalendarSettings, as_of: dt.date) -> Callable[[dt.date], int]:
    """How many days a task due on a day is overdue on ``as_of``, as ``[calendar] count`` says:
    calendar days, or the working days after the due date up to ``as_of``."""
    if settings.count != "workdays":
        return lambda due: (as_of - due).days
    calendar = calendar_of(settings)
    return functools.lru_cache(maxsize=4096)(lambda due: calendar.workdays_between(due, as_of))
