"""Repeating tasks: shorthands and RRULE text expand to the dates a person would count."""

from __future__ import annotations

import datetime as dt

import pytest

from checklist.recur import RecurrenceError, occurrences

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
