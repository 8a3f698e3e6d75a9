"""What day it is for a campaign, and reading the days people type."""

from __future__ import annotations

import calendar
import datetime as dt
import os
import re
import zoneinfo

from checklist.errors import UsageError

ENV_AS_OF = "CHECKLIST_AS_OF"
_RELATIVE = re.compile(r"^([+-])(\d+)([dw])$")
# The days a person can mean. Outside them, date arithmetic (a horizon of --soon days,
# a retention window) would leave the calendar, and no campaign is there anyway.
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2999, 12, 31)


def days_in_month(year: int, month: int) -> int | None:
    """How many days ``month`` of ``year`` has; None when there is no such month.

    The one rule every "that date does not exist" message states, whatever the year
    (0000 included, which datetime cannot hold).
    """
    if not 1 <= month <= 12:
        return None
    return calendar.monthrange(year, month)[1] if year >= 1 else 31


def shift(day: dt.date, days: int) -> dt.date:
    """``day`` moved by ``days``, stopping at the ends of the calendar instead of failing."""
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        return dt.date.max if days > 0 else dt.date.min


def today(timezone: str | None) -> dt.date:
    """Today in the campaign's time zone (the machine's when it names none)."""
    if timezone is None:
        return dt.date.today()
    return dt.datetime.now(zoneinfo.ZoneInfo(timezone)).date()


def parse_day(text: str, *, base: dt.date) -> dt.date:
    """Read a day: ISO or what dateutil reads, or today, yesterday, +3d, -1w relative to base.

    The day must lie from FIRST_DAY to LAST_DAY; anything else is a UsageError.
    """
    day = _read_day(text, base=base)
    if not FIRST_DAY <= day <= LAST_DAY:
        far = {dt.date.min: "太早了", dt.date.max: "太晚了"}.get(day, f"是 {day}")
        raise UsageError(
            f"{_shown(text)} is {_far(day)}: "
            f"checklist works with days from {FIRST_DAY} to {LAST_DAY}",
            zh=f"{_quoted(text)} {far}:checklist 只能处理 {FIRST_DAY} 到 {LAST_DAY} 之间的日期",
        )
    return day


def _shown(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:39] + "…")


def _quoted(text: str) -> str:
    from checklist.words import quote

    return quote(text)


def _far(day: dt.date) -> str:
    if day in (dt.date.min, dt.date.max):
        return "too far " + ("back" if day == dt.date.min else "ahead")
    return day.isoformat()


def _read_day(text: str, *, base: dt.date) -> dt.date:
    word = text.strip().lower()
    if word in ("today", "今天"):
        return base
    if word in ("yesterday", "昨天"):
        return shift(base, -1)
    if word in ("tomorrow", "明天"):
        return shift(base, 1)
    relative = _RELATIVE.fullmatch(word)
    if relative:
        # More digits than any day needs would only make int() slow (or refuse).
        digits = relative[2].lstrip("0") or "0"
        count = int(digits) if len(digits) <= 12 else 10**12
        days = count * (7 if relative[3] == "w" else 1)
        return shift(base, days if relative[1] == "+" else -days)
    try:
        return dt.date.fromisoformat(word)
    except ValueError:
        pass
    from dateutil import parser

    try:
        if len(text) > 100:  # no way of writing a day is this long
            raise ValueError(text)
        return parser.parse(text, default=dt.datetime(base.year, 1, 1)).date()
    except (ValueError, OverflowError, TypeError):
        raise UsageError(
            f"cannot read {_shown(text)} as a day; write it like 2023-11-20, 2023/11/20, "
            "Nov 20 2023, today, yesterday, +3d or -1w",
            zh=f"{_quoted(text)} 看不出是哪一天;请写成 2023-11-20、2023/11/20、"
            "今天、昨天、明天、+3d(3 天后)或 -1w(1 周前)这样",
        ) from None


def as_of(text: str | None, *, timezone: str | None) -> dt.date:
    """The report day: --as-of, else $CHECKLIST_AS_OF, else today in the campaign's zone."""
    base = today(timezone)
    chosen = text if text is not None else os.environ.get(ENV_AS_OF) or None
    return base if chosen is None else parse_day(chosen, base=base)
