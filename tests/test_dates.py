"""The report day: what people type, and what today means in the campaign's time zone."""

from __future__ import annotations

import datetime as dt

import pytest

from checklist import dates
from checklist.errors import UsageError

BASE = dt.date(2023, 11, 20)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2023-11-20", BASE),
        ("2023/11/20", BASE),
        ("Nov 20 2023", BASE),
        ("20 November 2023", BASE),
        ("today", BASE),
        ("yesterday", dt.date(2023, 11, 19)),
        ("+3d", dt.date(2023, 11, 23)),
        ("-1w", dt.date(2023, 11, 13)),
        ("+0d", BASE),
        ("2024-02-29", dt.date(2024, 2, 29)),
    ],
)
def test_days_people_type(text: str, day: dt.date) -> None:
    assert dates.parse_day(text, base=BASE) == day


@pytest.mark.parametrize("text", ["someday", "2023-02-30", "31/31/2023", ""])
def test_unreadable_days_are_usage_errors_with_an_example(text: str) -> None:
    with pytest.raises(UsageError, match="2023-11-20"):
        dates.parse_day(text, base=BASE)


def test_as_of_prefers_the_option_then_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHECKLIST_AS_OF", "2023-10-01")
    assert dates.as_of(None, timezone="Asia/Shanghai") == dt.date(2023, 10, 1)
    assert dates.as_of("2023-11-20", timezone="Asia/Shanghai") == BASE
    monkeypatch.delenv("CHECKLIST_AS_OF")
    assert dates.as_of(None, timezone=None) == dt.date.today()


@pytest.mark.parametrize(
    ("zone", "expected"),
    [("Asia/Shanghai", dt.date(2023, 11, 21)), ("UTC", BASE), ("America/New_York", BASE)],
)
def test_today_is_the_campaigns_date_not_the_servers(
    monkeypatch: pytest.MonkeyPatch, zone: str, expected: dt.date
) -> None:
    # 16:30 UTC on 20 November is already 00:30 on 21 November in Zhengzhou.
    instant = dt.datetime(2023, 11, 20, 16, 30, tzinfo=dt.UTC)

    class FrozenClock(dt.datetime):
        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> FrozenClock:
            moment = instant.astimezone(tz) if tz else instant
            return cls.fromtimestamp(moment.timestamp(), tz)

    monkeypatch.setattr(dates.dt, "datetime", FrozenClock)
    assert dates.today(zone) == expected
