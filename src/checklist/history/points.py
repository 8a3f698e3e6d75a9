"""Points of the history as people name them: a day (2023-11-13, 1w, 14d) or a commit."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass

from checklist.errors import UsageError
from checklist.history.git import HistoryError, Repo, commit_before, resolve

_AGO = re.compile(r"^(\d+)([dw])$")
# Plainly a day, never a commit: 2023-11-13, 2023/11/13, -1w, +3d, today, yesterday.
_DAYLIKE = re.compile(r"^(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|[+-]\d+[dw]|today|yesterday)$", re.I)


@dataclass(frozen=True, slots=True)
class Point:
    commit: str | None  # None: before the first commit
    day: dt.date | None  # the day named, when a day was


def start_of(day: dt.date, timezone: str | None) -> dt.datetime:
    """The first moment of ``day`` in the campaign's time zone."""
    zone = zoneinfo.ZoneInfo(timezone) if timezone else None
    moment = dt.datetime.combine(day, dt.time(), tzinfo=zone)
    return moment if zone else moment.astimezone()


def day_of(text: str, *, today: dt.date) -> dt.date | None:
    """The day ``text`` names (``1w``: a week before ``today``), None if it names none."""
    from checklist.dates import parse_day

    ago = _AGO.match(text.strip())
    if ago:
        return today - dt.timedelta(days=int(ago[1]) * (7 if ago[2] == "w" else 1))
    try:
        return parse_day(text, base=today)
    except UsageError:
        return None


def point(
    repo: Repo,
    text: str,
    *,
    option: str,
    today: dt.date,
    timezone: str | None,
    end_of_day: bool,
    line: str = "HEAD",
) -> Point:
    """The commit ``text`` names: a commit as git reads it, or the last commit of ``line``
    made before the day begins (``--since``) or ends (``--until``, ``end_of_day``)."""
    plain = text.strip()
    commit = None if _AGO.match(plain) or _DAYLIKE.match(plain) else resolve(repo, plain)
    if commit is not None:
        return Point(commit, None)
    day = day_of(plain, today=today)
    if day is None:
        raise HistoryError.said("history.bad_point", option=option, text=text)
    moment = start_of(day + dt.timedelta(days=1) if end_of_day else day, timezone)
    return Point(commit_before(repo, moment, until=line), day)
