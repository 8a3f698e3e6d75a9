"""Due dates in working days: ``due_workdays = n`` after ``from``, resolved to a plain due.

Worked by hand. With [calendar] country = "CN", 2023 National Day: Fri 29 Sep to Fri 6 Oct
were off (Sat 30 Sep and Sun 1 Oct among them), Sat 7 and Sun 8 Oct were worked. Counting
the working days after Thu 28 Sep 2023: 29 Sep – 6 Oct none; Sat 7 Oct is the 1st, Sun 8
the 2nd, Mon 9 the 3rd, Tue 10 the 4th, Wed 11 the 5th: 5 working days after 28 Sep is
Wed 11 October 2023 (docs/calendar.md; 12 October would need 8 Oct to be a rest day).

Without a [calendar], Monday to Friday: after Thu 28 Sep come Fri 29 (1st), Mon 2 Oct
(2nd), Tue 3 (3rd), Wed 4 (4th), Thu 5 (5th): Thu 5 October. 1 working day after Fri
6 Oct skips Sat 7 and Sun 8: Mon 9 October.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from checklist.load.campaign import load_campaign
from checklist.load.check import check_unit
from conftest import CAMPAIGN_TOML, VALID_UNIT, Result

CN = CAMPAIGN_TOML + '\n[calendar]\ncountry = "CN"\n'
OLD = 1_600_000_000
TODAY = dt.date(2023, 11, 20)


def _unit(study: str) -> str:
    """The valid unit with its first study task's due replaced by ``study``."""
    text = VALID_UNIT.replace("due = 2023-09-30\ndone = 2023-09-28\n", study)
    assert text != VALID_UNIT
    return text


def _check(campaign_dir: Callable[..., Path], campaign: str, unit: str):  # type: ignore[no-untyped-def]
    folder = campaign_dir(campaign)
    loaded = load_campaign(folder / "campaign.toml")
    return check_unit(unit.encode(), file="u.toml", campaign=loaded, today=TODAY)


def _study_dues(result) -> list[dt.date]:  # type: ignore[no-untyped-def]
    assert result.unit is not None, result.problems
    return [t.due for t in result.unit.tasks if t.measure == "study"]


def test_five_working_days_after_28_september_2023_is_11_october(campaign_dir) -> None:
    result = _check(campaign_dir, CN, _unit("due_workdays = 5\nfrom = 2023-09-28\n"))
    assert result.problems == ()
    # The second study task inherits the measure's due, 2023-10-31.
    assert _study_dues(result) == [dt.date(2023, 10, 11), dt.date(2023, 10, 31)]


@pytest.mark.parametrize(
    ("count", "start", "due"),
    [(5, "2023-09-28", dt.date(2023, 10, 5)), (1, "2023-10-06", dt.date(2023, 10, 9))],
)
def test_without_a_calendar_monday_to_friday(campaign_dir, count, start, due) -> None:
    text = _unit(f"due_workdays = {count}\nfrom = {start}\n")
    assert _study_dues(_check(campaign_dir, CAMPAIGN_TOML, text))[0] == due


def test_a_measure_gives_its_tasks_a_due_in_working_days(campaign_dir) -> None:
    text = _unit("due = 2023-09-30\n").replace(
        '[study]\nowner = "张伟"\ndue = 2023-10-31\n',
        '[study]\nowner = "张伟"\ndue_workdays = 1\nfrom = 2023-09-28\n',
    )
    # The second task has no due of its own: 1 working day after 28 Sep is Sat 7 Oct.
    assert _study_dues(_check(campaign_dir, CN, text)) == [
        dt.date(2023, 9, 30),
        dt.date(2023, 10, 7),
    ]


# VALID_UNIT's first [[study.tasks]] is at line 17: its title line 18, the keys from 19.
@pytest.mark.parametrize(
    ("written", "line", "column", "zh"),
    [
        ("due_workdays = 5\n", 19, 1, "没写从哪天算起"),
        ("from = 2023-09-28\n", 19, 1, "没写几个工作日"),
        ("due = 2023-10-12\ndue_workdays = 5\nfrom = 2023-09-28\n", 20, 1, "同时写了"),
        ("due_workdays = 0\nfrom = 2023-09-28\n", 19, 16, "不是 1 到 2500"),
        ("due_workdays = -3\nfrom = 2023-09-28\n", 19, 16, "不是 1 到 2500"),
        ("due_workdays = 2501\nfrom = 2023-09-28\n", 19, 16, "不是 1 到 2500"),
    ],
)
def test_each_mistake_is_one_located_finding(campaign_dir, written, line, column, zh) -> None:
    result = _check(campaign_dir, CN, _unit(written))
    assert [(p.code, p.line, p.column) for p in result.problems] == [("E215", line, column)]
    assert zh in result.problems[0].message_zh
    assert result.problems[0].hint_zh
    assert result.unit is None


def test_a_counted_due_outside_the_campaign_points_at_due_workdays(campaign_dir) -> None:
    # 90 working days after Mon 9 Oct 2023 falls in February 2024, after the campaign.
    result = _check(campaign_dir, CN, _unit("due_workdays = 90\nfrom = 2023-10-09\n"))
    assert [(p.code, p.line, p.column) for p in result.problems] == [("E206", 19, 16)]


def test_a_wrong_type_is_said_once(campaign_dir) -> None:
    result = _check(campaign_dir, CN, _unit('due_workdays = "5"\nfrom = 2023-09-28\n'))
    assert [p.code for p in result.problems] == ["E103"]


def _status(cli: Callable[..., Result], folder: Path, *more: str) -> list[str]:
    result = cli("status", folder, "--as-of", "2023-10-12", "--format", "json", *more)
    assert result.code in (0, 1), result
    return [t["due"] for t in json.loads(result.out)["tasks"] if t["measure"] == "study"]


def test_reports_see_the_date_from_the_files_and_the_index(
    campaign_dir, write_unit, cli, answered: list[bool]
) -> None:
    campaign_dir(CN)
    path = write_unit("erqi-test.toml", _unit("due_workdays = 5\nfrom = 2023-09-28\n"))
    os.utime(path, (OLD, OLD))  # long past: the index may hold it
    folder = path.parents[2]
    fresh = _status(cli, folder, "--no-cache")
    assert "2023-10-11" in fresh
    assert _status(cli, folder) == fresh  # builds the index
    assert _status(cli, folder) == fresh  # reads it
    assert answered[-1] is True
