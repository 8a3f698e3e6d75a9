"""[calendar] count = "workdays": days overdue in working days, in every output, both paths.

Hand-worked, 2023 National Day (29 Sep – 6 Oct off, Sat 7 and Sun 8 Oct worked):
a task due Thu 28 Sep is, on Mon 9 Oct, 11 calendar days overdue and 3 working days
(7, 8, 9 Oct); on Thu 26 Oct, 28 and 16 (7, 8, 9–13, 16–20, 23–26 Oct). The monthly
report due Wed 25 Oct is 1 of each on 26 Oct.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import CAMPAIGN_TOML, VALID_UNIT, Result

WORKDAYS = CAMPAIGN_TOML + '\n[calendar]\ncountry = "CN"\ncount = "workdays"\n'
OLD = 1_600_000_000
UNIT = VALID_UNIT.replace("due = 2023-09-30\ndone = 2023-09-28\n", "due = 2023-09-28\n").replace(
    'contact = "王红"', 'contact = "王红 <wanghong@example.cn>"'
)


def _campaign(
    campaign_dir: Callable[..., Path], write_unit: Callable[..., Path], text: str
) -> Path:
    folder = campaign_dir(text)
    unit = write_unit("erqi-test.toml", UNIT)
    os.utime(unit, (OLD, OLD))  # long past: not "racily clean", so the index may hold it
    return folder


def _overdue(cli: Callable[..., Result], folder: Path, day: str, *more: str) -> list[tuple]:
    result = cli("status", folder, "--as-of", day, "--format", "json", *more)
    assert result.code == 0, result
    tasks = json.loads(result.out)["tasks"]
    return [(t["due"], t["days_overdue"], t.get("days_overdue_unit")) for t in tasks]


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2023-10-09", [("2023-09-28", 3, "workdays")]),
        ("2023-10-26", [("2023-09-28", 16, "workdays"), ("2023-10-25", 1, "workdays")]),
    ],
)
def test_status_counts_working_days_on_both_paths(
    campaign_dir, write_unit, cli, answered: list[bool], day: str, expected: list[tuple]
) -> None:
    folder = _campaign(campaign_dir, write_unit, WORKDAYS)
    assert _overdue(cli, folder, day, "--no-cache") == expected
    assert cli("status", folder).code == 0  # fills the index
    before = len(answered)
    assert _overdue(cli, folder, day) == expected
    assert answered[before:] == [True]  # the index answered


def test_calendar_days_without_count(campaign_dir, write_unit, cli) -> None:
    text = WORKDAYS.replace('count = "workdays"\n', "")
    folder = _campaign(campaign_dir, write_unit, text)
    assert _overdue(cli, folder, "2023-10-26", "--no-cache") == [
        ("2023-09-28", 28, None),
        ("2023-10-25", 1, None),
    ]


def test_the_table_says_working_days(campaign_dir, write_unit, cli) -> None:
    folder = _campaign(campaign_dir, write_unit, WORKDAYS)
    out = cli("status", folder, "--as-of", "2023-10-09").out
    assert "Working days overdue" in out
    row = next(line for line in out.splitlines() if "2023-09-28" in line)
    assert row.split()[-1] == "3"
    zh = cli("status", folder, "--as-of", "2023-10-09", "--lang", "zh").out
    assert "逾期工作日" in zh


def test_remind_speaks_of_working_days(campaign_dir, write_unit, cli) -> None:
    folder = _campaign(campaign_dir, write_unit, WORKDAYS)
    # Sat 7 Oct is worked: 1 working day overdue, the first reminder (overdue_every = 3).
    out = cli("remind", folder, "--as-of", "2023-10-07").out
    assert "[1 working day overdue]" in out
    # Mon 9 Oct: 3 working days, not a reminder day (1, 4, 7, …); Tue 10 Oct: 4, it is.
    assert "overdue" not in cli("remind", folder, "--as-of", "2023-10-09").out
    assert "[4 working days overdue]" in cli("remind", folder, "--as-of", "2023-10-10").out
    # escalate_after = 7 working days: Fri 13 Oct (7, 8, 9, 10, 11, 12, 13).
    assert "Escalation" not in cli("remind", folder, "--as-of", "2023-10-12").out
    escalated = cli("remind", folder, "--as-of", "2023-10-13").out
    assert "overdue 7+ working days" in escalated
    zh = cli("remind", folder, "--as-of", "2023-10-10", "--lang", "zh").out
    assert "逾期 4 个工作日" in zh


def test_advance_reminders_count_working_days(campaign_dir, write_unit, cli) -> None:
    folder = _campaign(campaign_dir, write_unit, WORKDAYS)
    # 读书班结业 is due Tue 31 Oct. Advance 7 working days before it: Fri 20 Oct
    # (23–27, 30, 31 Oct are the 7 after it), 10 calendar days ahead; 3: Thu 26 Oct.
    assert "读书班结业" in cli("remind", folder, "--as-of", "2023-10-20").out
    assert "读书班结业" not in cli("remind", folder, "--as-of", "2023-10-24").out  # 5 left
    assert "读书班结业" in cli("remind", folder, "--as-of", "2023-10-26").out
    # Counted in calendar days, 20 Oct is 11 days ahead: not an advance day.
    plain = _campaign(campaign_dir, write_unit, WORKDAYS.replace('count = "workdays"\n', ""))
    assert "读书班结业" not in cli("remind", plain, "--as-of", "2023-10-20").out
    assert "读书班结业" in cli("remind", plain, "--as-of", "2023-10-24").out  # 7 days
