"""Repeating tasks: shorthands and RRULE text expand to the dates a person would count."""

from __future__ import annotations

import contextlib
import datetime as dt
import signal
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checklist.recur import MAX_OCCURRENCES, RecurrenceError, occurrences, rule_text

D = dt.date


def test_monthly_on_the_25th_runs_to_the_campaign_end() -> None:
    assert occurrences("monthly", first=D(2023, 9, 25), last=D(2024, 1, 31)) == (
        D(2023, 9, 25),
        D(2023, 10, 25),
        D(2023, 11, 25),
        D(2023, 12, 25),
        D(2024, 1, 25),
    )


def test_monthly_from_the_31st_clamps_to_short_months() -> None:
    # Counted on a calendar: Nov and Feb are short; 2024 is a leap year.
    assert occurrences("monthly", first=D(2023, 10, 31), last=D(2024, 3, 31)) == (
        D(2023, 10, 31),
        D(2023, 11, 30),
        D(2023, 12, 31),
        D(2024, 1, 31),
        D(2024, 2, 29),
        D(2024, 3, 31),
    )


def test_monthly_from_the_30th_keeps_the_30th_in_long_months() -> None:
    assert occurrences("每月", first=D(2024, 1, 30), last=D(2024, 3, 31)) == (
        D(2024, 1, 30),
        D(2024, 2, 29),
        D(2024, 3, 30),
    )


def test_dekadly_falls_on_the_10th_20th_and_last_day() -> None:
    assert occurrences("dekadly", first=D(2023, 9, 10), last=D(2023, 10, 31)) == (
        D(2023, 9, 10),
        D(2023, 9, 20),
        D(2023, 9, 30),
        D(2023, 10, 10),
        D(2023, 10, 20),
        D(2023, 10, 31),
    )


def test_weekly_and_biweekly_keep_the_weekday() -> None:
    weekly = occurrences("weekly", first=D(2023, 11, 1), last=D(2023, 11, 30))
    assert weekly == tuple(D(2023, 11, d) for d in (1, 8, 15, 22, 29))
    biweekly = occurrences("biweekly", first=D(2023, 11, 1), last=D(2023, 11, 30))
    assert biweekly == (D(2023, 11, 1), D(2023, 11, 15), D(2023, 11, 29))


def test_the_due_date_is_always_the_first_occurrence() -> None:
    # 2023-11-01 is a Wednesday; the rule then gives every Friday.
    dates = occurrences("FREQ=WEEKLY;BYDAY=FR", first=D(2023, 11, 1), last=D(2023, 11, 20))
    assert dates == (D(2023, 11, 1), D(2023, 11, 3), D(2023, 11, 10), D(2023, 11, 17))


def test_rrule_until_and_count_are_honoured() -> None:
    until = occurrences(
        "RRULE:FREQ=WEEKLY;UNTIL=20231115T000000Z", first=D(2023, 11, 1), last=D(2024, 1, 31)
    )
    assert until == (D(2023, 11, 1), D(2023, 11, 8), D(2023, 11, 15))
    count = occurrences("FREQ=DAILY;COUNT=3", first=D(2023, 11, 1), last=D(2024, 1, 31))
    assert count == (D(2023, 11, 1), D(2023, 11, 2), D(2023, 11, 3))


def test_last_friday_of_the_month() -> None:
    dates = occurrences("FREQ=MONTHLY;BYDAY=-1FR", first=D(2023, 9, 29), last=D(2024, 1, 31))
    assert dates == (
        D(2023, 9, 29),
        D(2023, 10, 27),
        D(2023, 11, 24),
        D(2023, 12, 29),
        D(2024, 1, 26),
    )


def test_a_due_date_after_the_end_has_no_occurrences() -> None:
    assert occurrences("weekly", first=D(2024, 2, 1), last=D(2024, 1, 31)) == ()


def test_a_rule_that_never_matches_still_gives_its_first_due_date() -> None:
    # dateutil would walk this to year 9999; the 400-year shift keeps it short.
    dates = occurrences(
        "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", first=D(2023, 9, 9), last=D(2024, 1, 31)
    )
    assert dates == (D(2023, 9, 9),)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("every month", "no FREQ="),
        ("FREQ=HOURLY", "within a day"),
        ("FREQ=DAILY;BYHOUR=9", "within a day"),
        ("FREQ=MONTHLY;BYDAY=XX", "BYDAY"),
        ("DTSTART:20230901\nRRULE:FREQ=DAILY", "due date is its start"),
    ],
)
def test_unusable_rules_are_refused_with_a_reason(text: str, words: str) -> None:
    with pytest.raises(RecurrenceError, match=words):
        occurrences(text, first=D(2023, 9, 9), last=D(2024, 1, 31))


def test_too_many_occurrences_are_refused() -> None:
    with pytest.raises(RecurrenceError, match="at most 1000"):
        occurrences("daily", first=D(2020, 1, 1), last=D(2024, 1, 1))


# --- rules that would never end -------------------------------------------------------


@contextlib.contextmanager
def _deadline(seconds: int) -> Iterator[None]:
    """Turn a hang into a failure: the alarm interrupts a pure-Python loop."""

    def hang(signum: int, frame: object) -> None:
        raise TimeoutError(f"still expanding after {seconds} s")

    if not hasattr(signal, "SIGALRM"):
        yield
        return
    previous = signal.signal(signal.SIGALRM, hang)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


FIRST, LAST = D(2023, 9, 9), D(2024, 1, 31)


@pytest.mark.parametrize("freq", ["DAILY", "WEEKLY", "MONTHLY", "YEARLY"])
@pytest.mark.parametrize("interval", ["0", "-1", "00", "+0", "1001", "99999999", "x"])
def test_an_interval_that_does_not_move_on_is_refused(freq: str, interval: str) -> None:
    with _deadline(10), pytest.raises(RecurrenceError, match="INTERVAL"):
        occurrences(f"FREQ={freq};INTERVAL={interval}", first=FIRST, last=LAST)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("FREQ=DAILY;COUNT=0", "COUNT"),
        ("FREQ=DAILY;COUNT=-3", "COUNT"),
        ("FREQ=DAILY;COUNT=" + "9" * 5000, "longer than"),
        ("FREQ=DAILY;COUNT=1001", "COUNT"),
        ("FREQ=DAILY;BYMONTH=13", "BYMONTH"),
        ("FREQ=DAILY;BYMONTHDAY=0", "BYMONTHDAY"),
        ("FREQ=DAILY;BYMONTHDAY=32", "BYMONTHDAY"),
        ("FREQ=YEARLY;BYYEARDAY=367", "BYYEARDAY"),
        ("FREQ=YEARLY;BYWEEKNO=54", "BYWEEKNO"),
        ("FREQ=MONTHLY;BYSETPOS=0", "BYSETPOS"),
        ("FREQ=MONTHLY;BYSETPOS=400", "BYSETPOS"),
        ("FREQ=MONTHLY;BYDAY=99999MO", "BYDAY"),
        ("FREQ=MONTHLY;BYDAY=0MO", "BYDAY"),
        ("FREQ=MONTHLY;BYDAY=MO(+1)", "BYDAY"),
        ("FREQ=MONTHLY;WKST=XX", "WKST"),
        ("FREQ=DAILY;UNTIL=20230231", "UNTIL"),
        ("FREQ=DAILY;UNTIL=tomorrow", "UNTIL"),
        ("FREQ=DAILY;FREQ=WEEKLY", "twice"),
        ("FREQ=DAILY;COUNT=3;UNTIL=20231231", "not both"),
        ("FREQ=FORTNIGHTLY", "FREQ"),
        ("FREQ=DAILY;BYEASTER=0", "unknown part"),
        ("FREQ=DAILY;", "NAME=VALUE"),
        ("FREQ=DAILY" + ";BYMONTH=1" * 50, "longer than"),
    ],
)
def test_absurd_values_are_refused_with_the_part_named(text: str, words: str) -> None:
    with _deadline(10), pytest.raises(RecurrenceError, match=words):
        occurrences(text, first=FIRST, last=LAST)


_RULE_PARTS = {
    "INTERVAL": st.integers(-3, 1200).map(str),
    "COUNT": st.integers(-3, 1200).map(str),
    "BYMONTH": st.lists(st.integers(-2, 14), min_size=1, max_size=3),
    "BYMONTHDAY": st.lists(st.integers(-33, 33), min_size=1, max_size=3),
    "BYYEARDAY": st.lists(st.integers(-370, 370), min_size=1, max_size=2),
    "BYWEEKNO": st.lists(st.integers(-55, 55), min_size=1, max_size=2),
    "BYSETPOS": st.lists(st.integers(-370, 370), min_size=1, max_size=3),
    "BYDAY": st.lists(
        st.tuples(st.sampled_from(["", "1", "-1", "5", "0", "60"]), st.sampled_from(["MO", "FR"])),
        min_size=1,
        max_size=2,
    ),
    "UNTIL": st.dates(D(1, 1, 1), D(9999, 12, 31)).map(lambda d: f"{d:%Y%m%d}".zfill(8)),
}


@st.composite
def _rules(draw: st.DrawFn) -> str:
    parts = [f"FREQ={draw(st.sampled_from(['DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY']))}"]
    for name in draw(st.lists(st.sampled_from(sorted(_RULE_PARTS)), unique=True, max_size=3)):
        value = draw(_RULE_PARTS[name])
        if isinstance(value, list):
            value = (
                ",".join(f"{n}{d}" if isinstance(n, str) else str(n) for n, d in value)
                if (name == "BYDAY")
                else ",".join(map(str, value))
            )
        parts.append(f"{name}={value}")
    return ";".join(parts)


@settings(max_examples=300, deadline=None)
@given(_rules(), st.dates(D(1, 1, 1), D(9999, 12, 31)), st.integers(0, 800))
def test_every_rule_ends_quickly_in_range_or_is_refused(rule: str, first: D, days: int) -> None:
    last = min(first + dt.timedelta(days=days), D(9999, 12, 31))
    with _deadline(10):
        try:
            dates = occurrences(rule, first=first, last=last)
        except RecurrenceError:
            return
    assert len(dates) <= MAX_OCCURRENCES
    assert list(dates) == sorted(set(dates))
    assert all(first <= d <= last for d in dates)


def _dateutil(rule: str, first: D, last: D) -> tuple[D, ...]:
    """dateutil alone, without the shift or the cap: the dates a valid rule must give."""
    from dateutil.rrule import rrulestr

    start = dt.datetime(first.year, first.month, first.day)
    end = dt.datetime(last.year, last.month, last.day)
    found = [d.date() for d in rrulestr(rule, dtstart=start).between(start, end, inc=True)]
    return tuple(found if found and found[0] == first else [first, *found])


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(
        [
            "FREQ=WEEKLY;INTERVAL=3;BYDAY=MO,TH",
            "FREQ=MONTHLY;BYDAY=-1FR",
            "FREQ=MONTHLY;BYDAY=2TU;INTERVAL=2",
            "FREQ=YEARLY;BYWEEKNO=1,52,53;BYDAY=MO",
            "FREQ=YEARLY;BYYEARDAY=-1,60",
            "FREQ=MONTHLY;BYMONTHDAY=29,30,31;BYSETPOS=-1",
            "FREQ=DAILY;INTERVAL=10;BYMONTH=2,3",
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
            "FREQ=WEEKLY;WKST=SU;INTERVAL=2;BYDAY=SA,SU",
            "FREQ=DAILY;COUNT=7",
            "FREQ=WEEKLY;UNTIL=21000301",
            "monthly",
            "dekadly",
        ]
    ),
    st.dates(D(1600, 1, 1), D(9900, 12, 31)),
    st.integers(0, 800),
)
def test_expanding_in_later_years_gives_dateutils_own_dates(rule: str, first: D, days: int) -> None:
    # The shift to years with the same calendars is invisible: same dates as dateutil's
    # own walk from the real due date, for rules that match often enough to walk.
    last = first + dt.timedelta(days=days)
    text = rule_text(rule, first)
    assert occurrences(rule, first=first, last=last) == _dateutil(text, first, last)


def test_task_dates_keep_to_the_window_of_until_and_the_campaign_end() -> None:
    from checklist.model import Campaign
    from checklist.recur import task_dates, window_end

    campaign = Campaign("c", D(2023, 9, 1), D(2023, 10, 31), counties=())
    assert task_dates(None, due=D(2023, 9, 5), until=None, campaign=campaign) == (D(2023, 9, 5),)
    assert window_end(None, campaign) == D(2023, 10, 31)
    assert window_end(D(2024, 1, 1), campaign) == D(2023, 10, 31)
    # A date-time until (an E103 error an edit may still meet) counts as its day.
    assert window_end(dt.datetime(2023, 9, 20, 23, 0), campaign) == D(2023, 9, 20)
    weekly = task_dates("weekly", due=D(2023, 9, 1), until=D(2023, 9, 20), campaign=campaign)
    assert weekly == (D(2023, 9, 1), D(2023, 9, 8), D(2023, 9, 15))
    assert len(task_dates("weekly", due=D(2023, 9, 1), until=None, campaign=campaign)) == 9
