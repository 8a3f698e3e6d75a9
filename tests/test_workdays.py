"""Working days, worked by hand from the State Council's notices (国务院办公厅通知).

2023 National Day with Mid-Autumn: 29 Sep (Fri) – 6 Oct (Fri) off, Sat 7 and Sun 8 Oct
worked. 2024 Spring Festival: 10 – 17 Feb off, Sun 4 Feb and Sun 18 Feb worked.
2027 was not published when the package was released: weekends only, and a warning.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from checklist.errors import ConfigError
from checklist.load.campaign import load_campaign
from checklist.model import CalendarSettings
from checklist.workdays import DayKind, calendar_of, dekads

D = dt.date
CN = calendar_of(CalendarSettings(country="CN"))
PLAIN = calendar_of()


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def test_2023_national_day_week_day_by_day() -> None:
    worked = [d.day for d in _days(D(2023, 9, 25), D(2023, 10, 15)) if CN.is_workday(d)]
    # 25–28 Sep Mon–Thu; 29 Sep – 6 Oct off; Sat 7, Sun 8 worked; 9–13 Oct Mon–Fri.
    assert worked == [25, 26, 27, 28, 7, 8, 9, 10, 11, 12, 13]


def test_2024_spring_festival() -> None:
    off = [d for d in _days(D(2024, 2, 1), D(2024, 2, 29)) if not CN.is_workday(d)]
    # Sat 3 Feb; Sun 4 worked; 10–17 off; Sun 18 worked; then plain weekends 24, 25.
    expected = [D(2024, 2, 3), *_days(D(2024, 2, 10), D(2024, 2, 17)), D(2024, 2, 24)]
    assert off == [*expected, D(2024, 2, 25)]
    assert CN.kind(D(2024, 2, 4)) is DayKind.MAKEUP
    assert CN.kind(D(2024, 2, 18)) is DayKind.MAKEUP
    assert CN.kind(D(2024, 2, 12)) is DayKind.HOLIDAY
    assert CN.kind(D(2024, 2, 24)) is DayKind.WEEKEND
    assert CN.kind(D(2024, 2, 19)) is DayKind.WORKDAY


def test_add_workdays_across_national_day() -> None:
    # "5 working days from Thu 28 Sep": 7, 8, 9, 10, 11 Oct.
    assert CN.add_workdays(D(2023, 9, 28), 5) == D(2023, 10, 11)
    assert CN.add_workdays(D(2023, 9, 28), 1) == D(2023, 10, 7)
    assert CN.add_workdays(D(2023, 10, 7), -1) == D(2023, 9, 28)
    assert CN.add_workdays(D(2023, 10, 1), 0) == D(2023, 10, 1)
    # The plain week knows nothing of the holiday: Fri 29 Sep, Mon 2 … Thu 5 Oct.
    assert PLAIN.add_workdays(D(2023, 9, 28), 5) == D(2023, 10, 5)


def test_add_workdays_across_spring_festival() -> None:
    # Fri 9 Feb 2024 + 1 working day: 10–17 off, Sun 18 worked.
    assert CN.add_workdays(D(2024, 2, 9), 1) == D(2024, 2, 18)
    assert CN.add_workdays(D(2024, 2, 18), -1) == D(2024, 2, 9)


def test_workdays_between_counts_after_the_first_up_to_the_last() -> None:
    # Due Thu 28 Sep, on Mon 9 Oct: 7, 8, 9 Oct (11 calendar days).
    assert CN.workdays_between(D(2023, 9, 28), D(2023, 10, 9)) == 3
    assert CN.workdays_between(D(2023, 10, 9), D(2023, 9, 28)) == -3
    assert CN.workdays_between(D(2023, 9, 28), D(2023, 9, 28)) == 0
    # Due Friday, Saturday: 0; Monday: 1.
    assert PLAIN.workdays_between(D(2023, 11, 17), D(2023, 11, 18)) == 0
    assert PLAIN.workdays_between(D(2023, 11, 17), D(2023, 11, 20)) == 1


@pytest.mark.parametrize("calendar", [CN, PLAIN], ids=["CN", "plain"])
def test_workdays_between_agrees_with_counting_day_by_day(calendar: object) -> None:
    from checklist.workdays import Calendar

    assert isinstance(calendar, Calendar)
    start = D(2023, 9, 1)
    days = _days(start, D(2024, 3, 31))
    for a in days[::5]:
        for b in days[::7]:
            lo, hi = min(a, b), max(a, b)
            counted = sum(calendar.is_workday(d) for d in _days(lo, hi)[1:])
            assert calendar.workdays_between(a, b) == (counted if b >= a else -counted)


def test_shift_off_rest() -> None:
    assert CN.shift_off_rest(D(2023, 10, 1), "before") == D(2023, 9, 28)
    assert CN.shift_off_rest(D(2023, 10, 1), "after") == D(2023, 10, 7)
    assert CN.shift_off_rest(D(2023, 10, 1), "none") == D(2023, 10, 1)
    assert CN.shift_off_rest(D(2023, 10, 8), "before") == D(2023, 10, 8)  # worked


def test_a_year_not_yet_published_is_plain_weeks_and_named() -> None:
    # Fri 1 Jan 2027 is New Year's Day, but no notice covers 2027 in the package.
    assert CN.is_workday(D(2027, 1, 1))
    assert not CN.is_workday(D(2027, 1, 2))
    assert CN.unpublished(D(2026, 9, 1), D(2027, 2, 1)) == (2027,)
    assert CN.unpublished(D(2023, 9, 9), D(2024, 1, 31)) == ()
    assert PLAIN.unpublished(D(2027, 1, 1), D(2027, 2, 1)) == ()  # no country, no promise


def test_the_campaigns_own_days_override_and_cover_a_year() -> None:
    own = calendar_of(
        CalendarSettings(
            country="CN",
            holidays=(D(2027, 1, 1), D(2023, 10, 7)),
            workdays=(D(2027, 2, 6), D(2023, 10, 6)),
        )
    )
    assert not own.is_workday(D(2027, 1, 1))
    assert own.is_workday(D(2027, 2, 6))  # a Saturday
    assert not own.is_workday(D(2023, 10, 7))  # the official make-up day, cancelled
    assert own.is_workday(D(2023, 10, 6))  # an official holiday, worked
    assert own.unpublished(D(2026, 9, 1), D(2027, 2, 1)) == ()
    # 28 Sep + 1: 6 Oct now worked.
    assert own.add_workdays(D(2023, 9, 28), 1) == D(2023, 10, 6)
    assert own.workdays_between(D(2023, 9, 28), D(2023, 10, 9)) == 3  # 6, 8, 9


def test_a_day_in_both_lists_is_worked() -> None:
    both = calendar_of(CalendarSettings(holidays=(D(2023, 11, 20),), workdays=(D(2023, 11, 20),)))
    assert both.is_workday(D(2023, 11, 20))


def test_dekads() -> None:
    assert dekads(2023, 10)[2] == (D(2023, 10, 21), D(2023, 10, 31))
    assert dekads(2024, 2)[2] == (D(2024, 2, 21), D(2024, 2, 29))
    assert dekads(2023, 12)[2] == (D(2023, 12, 21), D(2023, 12, 31))
    assert dekads(2023, 9)[0] == (D(2023, 9, 1), D(2023, 9, 10))


CALENDAR_CAMPAIGN = """\
[campaign]
name = "测试"
start = 2026-09-01
end = 2027-01-31

[[counties]]
code = "410103"
name = "二七区"

[calendar]
country = "CN"
count = "workdays"
holidays = 2026-12-31
"""


def test_campaign_toml_calendar_is_loaded(campaign_dir: Callable[..., Path]) -> None:
    campaign = load_campaign(campaign_dir(CALENDAR_CAMPAIGN) / "campaign.toml")
    assert campaign.calendar == CalendarSettings(
        country="CN", holidays=(D(2026, 12, 31),), count="workdays"
    )


def test_a_wrong_country_or_count_is_a_config_error(campaign_dir: Callable[..., Path]) -> None:
    text = CALENDAR_CAMPAIGN.replace('"CN"', '"US"').replace('"workdays"', '"hours"')
    with pytest.raises(ConfigError) as error:
        load_campaign(campaign_dir(text) / "campaign.toml")
    messages = [p.message for p in error.value.problems]
    assert any('"US"' in m and "CN" in m for m in messages), messages
    assert any('"hours"' in m and "workdays" in m for m in messages), messages


def test_a_year_not_yet_published_is_a_warning_on_reports(
    campaign_dir: Callable[..., Path], cli: Callable[..., object]
) -> None:
    folder = campaign_dir(CALENDAR_CAMPAIGN)
    result = cli("status", folder, "--as-of", "2026-10-09")
    err = result.err  # type: ignore[attr-defined]
    assert err.count('country = "CN" has no official holidays for 2027 yet') == 1, err
    assert "holidays = [2027-01-01" in err
    assert "2026" not in err.split("for ")[1].split(" yet")[0]
    # A year listed by hand is taken as done.
    text = CALENDAR_CAMPAIGN.replace("holidays = 2026-12-31", "holidays = [2027-01-01]")
    result = cli("status", campaign_dir(text), "--as-of", "2026-10-09")
    assert "no official holidays" not in result.err  # type: ignore[attr-defined]
