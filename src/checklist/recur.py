"""Repeating tasks: a shorthand or RFC 5545 RRULE text, expanded with dateutil."""

from __future__ import annotations

import datetime as dt
import functools
import re

MAX_OCCURRENCES = 1000

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
# Tasks are due on days: an UNTIL's time of day (and its Z) is dropped.
_UNTIL = re.compile(r"UNTIL=(\d{4})(\d{4})(T\d{6}Z?)?")
_SUBDAILY = ("FREQ=HOURLY", "FREQ=MINUTELY", "FREQ=SECONDLY", "BYHOUR", "BYMINUTE", "BYSECOND")


class RecurrenceError(ValueError):
    """The repeat text is not a rule this tool can expand."""


def rule_text(repeat: str, first: dt.date) -> str:
    """Turn a shorthand into RRULE text; RRULE text passes through, normalised."""
    key = repeat.strip()
    key = _ALIASES.get(key, key.lower())
    if key == "monthly" and first.day > 28:
        return _MONTHLY_CLAMPED.format(day=first.day)
    if key in SHORTHANDS:
        return SHORTHANDS[key]
    text = repeat.strip().upper().removeprefix("RRULE:")
    if "DTSTART" in text or "\n" in text:
        raise RecurrenceError("write only the rule; the task's due date is its start")
    if not text.startswith("FREQ=") and ";FREQ=" not in text:
        raise RecurrenceError(
            f"not a shorthand ({', '.join(SHORTHANDS)}) and not RRULE text (no FREQ=)"
        )
    for part in _SUBDAILY:
        if part in text:
            raise RecurrenceError(f"{part} repeats within a day; tasks are due on days")
    return text


@functools.lru_cache(maxsize=4096)
def occurrences(repeat: str, *, first: dt.date, last: dt.date) -> tuple[dt.date, ...]:
    """Every due date of a repeating task: ``first``, then each date of the rule up to ``last``."""
    from dateutil.rrule import rrulestr

    text = rule_text(repeat, first)
    # dateutil walks a rule that never matches (the 30th of February) up to year
    # 9999, which takes seconds. The Gregorian calendar repeats every 400 years,
    # so expanding in the last cycle before 9999 gives the same dates, faster.
    shift = 400 * ((dt.MAXYEAR - 2 - max(first.year, last.year)) // 400)
    start = dt.datetime(first.year + shift, first.month, first.day)
    text = _UNTIL.sub(lambda m: f"UNTIL={int(m[1]) + shift:04d}{m[2]}", text)
    try:
        rule = rrulestr(text, dtstart=start)
        end = dt.datetime(last.year + shift, last.month, last.day)
        found = rule.between(start, end, inc=True)
    except (ValueError, TypeError, OverflowError) as error:
        raise RecurrenceError(str(error) or "not a valid RRULE") from None
    if len(found) > MAX_OCCURRENCES:
        raise RecurrenceError(
            f"it repeats {len(found)} times; at most {MAX_OCCURRENCES} are allowed"
        )
    dates = [dt.date(d.year - shift, d.month, d.day) for d in found]
    if first <= last and (not dates or dates[0] != first):
        dates.insert(0, first)
    return tuple(dates)
