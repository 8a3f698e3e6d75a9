"""Repeating tasks: a shorthand or RRULE text, expanded with dateutil.

Expansion always ends: a rule is read here, part by part, and only values that move
forward (INTERVAL of at least 1) and can match reach dateutil; dates are then taken one
at a time and the walk stops at the end of the window or past ``MAX_OCCURRENCES``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from checklist.model import Campaign

MAX_OCCURRENCES = 1000
# What ``shift`` may say: move an occurrence on a rest day, or keep it ("none").
SHIFTS = ("none", "before", "after")
# Real rules are short; a longer text is a mistake, and the work per period grows with it.
MAX_RULE_LENGTH = 200
MAX_INTERVAL = 1000

# dateutil keys a monthly rule to the day of the month of its start; a start on
# the 29th-31st would skip short months, so those clamp to the month's last day.
_MONTHLY_CLAMPED = "FREQ=MONTHLY;BYMONTHDAY={day},-1;BYSETPOS=1"

SHORTHANDS: dict[str, str] = {
    "daily": "FREQ=DAILY",
    "weekly": "FREQ=WEEKLY",
    "biweekly": "FREQ=WEEKLY;INTERVAL=2",
    "monthly": "FREQ=MONTHLY",
    "dekadly": "FREQ=MONTHLY;BYMONTHDAY=10,20,-1",
}
_ALIASES = {
    "每天": "daily",
    "每日": "daily",
    "每周": "weekly",
    "每两周": "biweekly",
    "每月": "monthly",
    "每旬": "dekadly",
}
# Each shorthand's Chinese name, which repeat also accepts: the first alias of each.
SHORTHANDS_ZH = {key: next(zh for zh, en in _ALIASES.items() if en == key) for key in SHORTHANDS}
_SHORTHANDS_ZH = f"{'、'.join(SHORTHANDS)}(或 {'、'.join(SHORTHANDS_ZH.values())})"
# Tasks are due on days: an UNTIL's time of day (and its Z) is dropped.
_UNTIL = re.compile(r"(\d{4})(\d{2})(\d{2})(?:T\d{6}Z?)?")
_SUBDAILY = ("FREQ=HOURLY", "FREQ=MINUTELY", "FREQ=SECONDLY", "BYHOUR", "BYMINUTE", "BYSECOND")
_FREQUENCIES = ("YEARLY", "MONTHLY", "WEEKLY", "DAILY")  # dateutil's numbers: 0 to 3
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_BYDAY = re.compile(r"([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)")
_NUMBER = re.compile(r"[+-]?\d{1,3}")
# The numbers each list part may hold: a value out of range could never match, and
# dateutil would search up to the year 9999 for it.
_RANGES = {
    "BYMONTH": (1, 12),
    "BYMONTHDAY": (-31, 31),
    "BYYEARDAY": (-366, 366),
    "BYWEEKNO": (-53, 53),
    "BYSETPOS": (-366, 366),
}
_PARTS = ("FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", *_RANGES, "WKST")


_TOO_MANY = (
    f"it repeats more than {MAX_OCCURRENCES} times; at most {MAX_OCCURRENCES} are allowed",
    f"重复次数超过了 {MAX_OCCURRENCES} 次;最多只能重复 {MAX_OCCURRENCES} 次",
)


class RecurrenceError(ValueError):
    """The repeat text is not a rule this tool can expand: why, in English and in ``zh``."""

    def __init__(self, message: str, zh: str) -> None:
        super().__init__(message)
        self.zh = zh  # the reason for a clerk who reads Chinese

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (str(self), self.zh)


def rule_text(repeat: str, first: dt.date) -> str:
    """Turn a shorthand into RRULE text; RRULE text passes through, normalised and checked."""
    if len(repeat) > MAX_RULE_LENGTH:
        raise RecurrenceError(
            f"the rule is longer than {MAX_RULE_LENGTH} characters",
            f"规则太长,超过了 {MAX_RULE_LENGTH} 个字符",
        )
    key = repeat.strip()
    key = _ALIASES.get(key, key.lower())
    if key == "monthly" and first.day > 28:
        return _MONTHLY_CLAMPED.format(day=first.day)
    if key in SHORTHANDS:
        return SHORTHANDS[key]
    text = repeat.strip().upper().removeprefix("RRULE:")
    if "DTSTART" in text or "\n" in text:
        raise RecurrenceError(
            "write only the rule; the task's due date is its start",
            "只写规则本身,不要写 DTSTART 或换行;任务的截止日期就是第一次的日期",
        )
    if not text.startswith("FREQ=") and ";FREQ=" not in text:
        raise RecurrenceError(
            f"not a shorthand ({', '.join(SHORTHANDS)}) and not RRULE text (no FREQ=)",
            f"既不是 {_SHORTHANDS_ZH}这样的简写,也不是 RRULE 规则(没有 FREQ=)",
        )
    for part in _SUBDAILY:
        if part in text:
            raise RecurrenceError(
                f"{part} repeats within a day; tasks are due on days",
                f"{part} 表示一天之内多次重复;任务是按天安排的",
            )
    rule_parts(text)
    return text


def rule_parts(text: str) -> dict[str, Any]:
    """Read RRULE text into dateutil's keyword arguments, refusing any value that cannot work."""
    parts: dict[str, Any] = {}
    for part in text.split(";"):
        name, equals, value = part.partition("=")
        name, value = name.strip(), value.strip()
        shown = _short(part)
        if not equals or not value:
            raise RecurrenceError(
                f"{shown!r} is not NAME=VALUE", f"{shown!r} 不是“名称=值”的写法,例如 FREQ=WEEKLY"
            )
        if name not in _PARTS:
            raise RecurrenceError(
                f"unknown part {_short(name)!r}; rules use {', '.join(_PARTS)}",
                f"规则里没有 {_short(name)!r} 这一项;能用的是 {'、'.join(_PARTS)}",
            )
        if name.lower() in parts or (name == "BYDAY" and "byweekday" in parts):
            raise RecurrenceError(f"{name} is given twice", f"{name} 写了两次")
        if name == "FREQ":
            if value not in _FREQUENCIES:
                raise RecurrenceError(
                    f"FREQ is {', '.join(_FREQUENCIES)}, not {_short(value)!r}",
                    f"FREQ 只能是 {'、'.join(_FREQUENCIES)},不能是 {_short(value)!r}",
                )
            parts["freq"] = _FREQUENCIES.index(value)
        elif name == "INTERVAL":
            # INTERVAL=0 never moves on: dateutil would yield or search the same period forever.
            parts["interval"] = _whole(name, value, 1, MAX_INTERVAL)
        elif name == "COUNT":
            parts["count"] = _whole(name, value, 1, MAX_OCCURRENCES)
        elif name == "UNTIL":
            parts["until"] = _until(value)
        elif name == "WKST":
            if value not in _WEEKDAYS:
                raise RecurrenceError(
                    f"WKST is one of {', '.join(_WEEKDAYS)}",
                    f"WKST 只能是 {'、'.join(_WEEKDAYS)} 之一(周一到周日)",
                )
            parts["wkst"] = _WEEKDAYS.index(value)
        elif name == "BYDAY":
            parts["byweekday"] = _byday(value)
        else:
            low, high = _RANGES[name]
            numbers = {_whole(name, item, low, high) for item in value.split(",")}
            if 0 in numbers:
                raise RecurrenceError(
                    f"{name} counts from 1 (or back from -1), not 0",
                    f"{name} 从 1 数起(倒着数从 -1 起),不能是 0",
                )
            parts[name.lower()] = sorted(numbers)
    if "freq" not in parts:
        raise RecurrenceError("the rule has no FREQ", "规则里没有 FREQ(多久重复一次)")
    if "count" in parts and "until" in parts:
        raise RecurrenceError("give COUNT or UNTIL, not both", "COUNT 和 UNTIL 只能写一个")
    return parts


def _short(text: str) -> str:
    return text if len(text) <= 24 else text[:23] + "…"


def _whole(name: str, value: str, low: int, high: int) -> int:
    if not _NUMBER.fullmatch(value.strip()) or not low <= int(value) <= high:
        raise RecurrenceError(
            f"{name}={_short(value)}: {name} is a whole number from {low} to {high}",
            f"{name}={_short(value)} 不行,{name} 要写 {low} 到 {high} 之间的整数",
        )
    return int(value)


def _until(value: str) -> dt.date:
    found = _UNTIL.fullmatch(value)
    try:
        if found:
            return dt.date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:
        pass
    raise RecurrenceError(
        f"UNTIL={_short(value)} is not a date like 20231231",
        f"UNTIL={_short(value)} 不是日期;要写成 20231231 这样",
    )


def _byday(value: str) -> list[Any]:
    from dateutil.rrule import weekday

    days = []
    for item in value.split(","):
        found = _BYDAY.fullmatch(item.strip())
        if not found or (found[1] and not 1 <= abs(int(found[1])) <= 53):
            raise RecurrenceError(
                f"BYDAY={_short(value)}: write days as MO to SU, with an optional "
                "position from 1 to 53 (or -1 to -53), like 1MO or -1FR",
                f"BYDAY={_short(value)} 写得不对,星期几写作 MO 到 SU(周一到周日),前面可以加序号 "
                "1 到 53(或 -1 到 -53),例如 1MO(第一个周一)、-1FR(最后一个周五)",
            )
        days.append(weekday(_WEEKDAYS.index(found[2]), int(found[1]) if found[1] else None))
    return days


@functools.lru_cache(maxsize=4096)
def window_end(until: dt.date | None, campaign: Campaign) -> dt.date:
    """The last day an occurrence may fall on: ``until``, but never after the campaign ends.

    A date-time ``until`` (an E103 error, met by edits) counts as its day.
    """
    if until is None:
        return campaign.end
    return min(dt.date(until.year, until.month, until.day), campaign.end)


def task_dates(
    repeat: str | None,
    *,
    due: dt.date,
    until: dt.date | None,
    campaign: Campaign,
    shift: str = "none",
) -> tuple[dt.date, ...]:
    """Each occurrence's due date: ``due`` alone for a plain task, the rule's dates in the
    window (``due`` to ``window_end``) for a repeating one, moved off rest days as ``shift``
    says. The one place that expands: the files, the index and the rules agree by it."""
    if repeat is None:
        return (due,)
    dates = occurrences(repeat, first=due, last=window_end(until, campaign))
    if shift not in ("before", "after") or not dates:
        return dates
    return shifted(dates, shift, campaign)


def shifted(dates: tuple[dt.date, ...], how: str, campaign: Campaign) -> tuple[dt.date, ...]:
    """Occurrences on rest days moved to the working day ``before`` or ``after``, in order.

    Two that land on one day become one, the first: a clerk answers a daily report over a
    holiday week once, on the working day after it, not eight times that morning; and the
    n-th done date completes the n-th occurrence, so two occurrences due the same day
    would want two done dates for one piece of work. A move that would leave the
    campaign goes the other way instead (a deadline after the campaign is no deadline);
    if that leaves it too, the day stays.

    2023 National Day, 29 Sep to 6 Oct off, Sat 7 and Sun 8 Oct worked: a weekly task due
    Sun 1 Oct goes to Sat 7 Oct with "after", to Thu 28 Sep with "before"; the next one, on
    Sun 8 Oct, is worked and stays. Spring Festival 2024, 10 to 17 Feb off, Sun 4 and
    Sun 18 Feb worked: a task due Sat 10 Feb goes to Sun 18 Feb ("after") or Fri 9 Feb
    ("before"); one due Sun 4 Feb stays.
    """
    from checklist.workdays import calendar_of

    calendar = calendar_of(campaign.calendar)
    other = "after" if how == "before" else "before"
    moved: dict[dt.date, None] = {}
    for day in dates:
        new = calendar.shift_off_rest(day, how)
        if not campaign.start <= new <= campaign.end:
            new = calendar.shift_off_rest(day, other)
            if not campaign.start <= new <= campaign.end:
                new = day
        moved.setdefault(new)
    return tuple(sorted(moved))


def occurrences(repeat: str, *, first: dt.date, last: dt.date) -> tuple[dt.date, ...]:
    """Every due date of a repeating task: ``first``, then each date of the rule up to ``last``."""
    from dateutil.rrule import rrule

    parts = rule_parts(rule_text(repeat, first))
    if last < first:
        return ()
    if parts.get("interval", 1) < 1:  # rule_parts refuses it; never hand dateutil a standstill
        raise RecurrenceError("INTERVAL must be at least 1", "INTERVAL 至少是 1")
    # dateutil walks a rule that never matches (the 30th of February) up to the year
    # 9999. Expanding in years with the same calendars, as late as possible, keeps that
    # walk short; the dates are taken one at a time, up to the end or the cap.
    until = parts.pop("until", None)
    stop = last if until is None else min(last, until)
    shift = _late_shift(first.year, stop.year) if first <= stop else 0
    found: list[dt.datetime] = []
    try:
        start = dt.datetime(first.year + shift, first.month, first.day)
        end = dt.datetime(stop.year + shift, stop.month, stop.day)
        for day in rrule(dtstart=start, cache=False, **parts) if first <= stop else ():
            if day > end:
                break
            found.append(day)
            if len(found) > MAX_OCCURRENCES:
                raise RecurrenceError(*_TOO_MANY)
    except RecurrenceError:
        raise
    except (ValueError, TypeError, OverflowError) as error:
        # dateutil's own words are English: a clerk gets them in brackets, after ours.
        reason = str(error)
        raise RecurrenceError(
            reason or "not a valid RRULE",
            f"不是能用的 RRULE 规则({reason})" if reason else "不是能用的 RRULE 规则",
        ) from None
    dates = [dt.date(d.year - shift, d.month, d.day) for d in found]
    if not dates or dates[0] != first:
        dates.insert(0, first)
    if len(dates) > MAX_OCCURRENCES:
        raise RecurrenceError(*_TOO_MANY)
    return tuple(dates)


def _late_shift(first: int, last: int) -> int:
    """Years to add so that every year from ``first`` to ``last`` keeps its calendar, ending late.

    A shift by a multiple of 400 years always keeps the Gregorian calendar; a shorter
    one found near the end of the range (years repeat every 28 years between centuries)
    leaves dateutil fewer empty years to walk after the window.
    """
    top = dt.MAXYEAR - 2 - last
    fallback = max(400 * (top // 400), 0)
    if last - first > 400:
        return fallback
    wanted = [_calendar(year) for year in range(first - 1, last + 2)]
    for shift in range(top, max(top - 400, 0), -1):
        if all(_calendar(first - 1 + shift + i) == c for i, c in enumerate(wanted)):
            return shift
    return fallback


@functools.cache
def _calendar(year: int) -> tuple[bool, int]:
    """What makes a year's calendar: leap or not, and the weekday of 1 January."""
    return calendar.isleap(year), calendar.weekday(year, 1, 1)
