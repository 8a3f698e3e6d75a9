"""What day it is for a campaign, and reading the days people type."""

from __future__ import annotations

import datetime as dt
import os
import re
import zoneinfo

from checklist.errors import UsageError

ENV_AS_OF = "CHECKLIST_AS_OF"
_RELATIVE = re.compile(r"^([+-])(\d+)([dw])$")


def today(timezone: str | None) -> dt.date:
    """Today in the campaign's time zone (the machine's when it names none)."""
    if timezone is None:
        return dt.date.today()
    return dt.datetime.now(zoneinfo.ZoneInfo(timezone)).date()


def parse_day(text: str, *, base: dt.date) -> dt.date:
    """Read a day: ISO or what dateutil reads, or today, yesterday, +3d, -1w relative to base."""
    word = text.strip().lower()
    if word in ("today", "今天"):
        return base
    if word in ("yesterday", "昨天"):
        return base - dt.timedelta(days=1)
    if word in ("tomorrow", "明天"):
        return base + dt.timedelta(days=1)
    relative = _RELATIVE.match(word)
    if relative:
        days = int(relative[2]) * (7 if relative[3] == "w" else 1)
        return base + dt.timedelta(days=days if relative[1] == "+" else -days)
    try:
        return dt.date.fromisoformat(word)
    except ValueError:
        pass
    from dateutil import parser

    try:
        return parser.parse(text, default=dt.datetime(base.year, 1, 1)).date()
    except (ValueError, OverflowError):
        raise UsageError(
            f"cannot read {text!r} as a day; write it like 2023-11-20, 2023/11/20, "
            "Nov 20 2023, today, yesterday, +3d or -1w"
        ) from None


def as_of(text: str | None, *, timezone: str | None) -> dt.date:
    """The report day: --as-of, else $CHECKLIST_AS_OF, else today in the campaign's zone."""
    base = today(timezone)
    chosen = text if text is not None else os.environ.get(ENV_AS_OF) or None
    return base if chosen is None else parse_day(chosen, base=base)
