"""checklist calendar: a month's grid and dekads, hand-checked against the 2023 notices."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from conftest import CAMPAIGN_TOML, Result

CN_CAMPAIGN = CAMPAIGN_TOML + '\n[calendar]\ncountry = "CN"\n'

OCTOBER_2023 = """\
2023-10: 19 working days

  Mon    Tue    Wed    Thu    Fri     Sat     Sun
─────  ─────  ─────  ─────  ─────  ──────  ──────
                                            1 off
2 off  3 off  4 off  5 off  6 off  7 work  8 work
    9     10     11     12     13      14      15
   16     17     18     19     20      21      22
   23     24     25     26     27      28      29
   30     31
off: a holiday (by decree or campaign.toml); work: a weekend day worked (调休)

Dekad       From        To          Working days  Rest days
──────────  ──────────  ──────────  ────────────  ─────────
1st (上旬)  2023-10-01  2023-10-10             4          6
2nd (中旬)  2023-10-11  2023-10-20             8          2
3rd (下旬)  2023-10-21  2023-10-31             7          4
"""


def test_october_2023_in_a_pipe(
    campaign_dir: Callable[..., Path], cli: Callable[..., Result]
) -> None:
    folder = campaign_dir(CN_CAMPAIGN)
    result = cli("calendar", "--config", folder / "campaign.toml", "--month", "2023-10")
    assert result == Result(0, OCTOBER_2023, "")


def test_the_month_defaults_to_the_report_days(
    campaign_dir: Callable[..., Path], cli: Callable[..., Result]
) -> None:
    folder = campaign_dir(CN_CAMPAIGN)
    result = cli("calendar", "--config", folder / "campaign.toml", "--as-of", "2023-10-09")
    assert result.out == OCTOBER_2023


def test_json_marks_every_day_and_counts_dekads(
    campaign_dir: Callable[..., Path], cli: Callable[..., Result]
) -> None:
    folder = campaign_dir(CN_CAMPAIGN)
    result = cli(
        "calendar", "--config", folder / "campaign.toml", "--month", "2024-02", "-f", "json"
    )
    assert result.code == 0
    data = json.loads(result.out)
    kinds = {d["date"][-2:]: d["kind"] for d in data["days"]}
    assert len(kinds) == 29  # 2024 is a leap year
    assert [k for k, v in kinds.items() if v == "makeup"] == ["04", "18"]
    assert [k for k, v in kinds.items() if v == "holiday"] == [f"{d}" for d in range(10, 18)]
    assert [k for k, v in kinds.items() if v == "weekend"] == ["03", "24", "25"]
    # By hand: 1–10 Feb worked 1, 2, 4, 5–9 (8); 11–20 worked 18, 19, 20 (3);
    # 21–29 worked 21–23, 26–29 (7).
    dekads = [(d["start"], d["end"], d["workdays"], d["rest_days"]) for d in data["dekads"]]
    assert dekads == [
        ("2024-02-01", "2024-02-10", 8, 2),
        ("2024-02-11", "2024-02-20", 3, 7),
        ("2024-02-21", "2024-02-29", 7, 2),
    ]
    assert data["workdays"] == 18
    assert data["published"] is True
    assert data["country"] == "CN"
    assert all(d["workday"] == (d["kind"] in ("workday", "makeup")) for d in data["days"])


def test_without_a_calendar_weekends_are_the_only_rest(
    campaign_dir: Callable[..., Path], cli: Callable[..., Result]
) -> None:
    folder = campaign_dir()
    result = cli(
        "calendar", "--config", folder / "campaign.toml", "--month", "2023-10", "-f", "json"
    )
    data = json.loads(result.out)
    assert data["country"] is None
    assert data["workdays"] == 22  # 2–6, 9–13, 16–20, 23–27, 30–31 Oct
    assert {d["kind"] for d in data["days"]} == {"workday", "weekend"}


def test_a_year_not_yet_published_is_shown_with_a_warning(
    campaign_dir: Callable[..., Path], cli: Callable[..., Result]
) -> None:
    folder = campaign_dir(CN_CAMPAIGN)
    result = cli(
        "calendar", "--config", folder / "campaign.toml", "--month", "2027-01", "-f", "json"
    )
    assert result.code == 0
    assert json.loads(result.out)["published"] is False
    assert 'country = "CN" has no official holidays for 2027 yet' in result.err


def test_in_chinese(campaign_dir: Callable[..., Path], cli: Callable[..., Result]) -> None:
    folder = campaign_dir(CN_CAMPAIGN)
    result = cli(
        "calendar", "--config", folder / "campaign.toml", "--month", "2023/10", "--lang", "zh"
    )
    lines = result.out.splitlines()
    assert lines[0] == "2023年10月:19 个工作日"
    assert lines[5].split() == ["2休", "3休", "4休", "5休", "6休", "7班", "8班"]
    assert lines[-3].split() == ["上旬", "2023-10-01", "2023-10-10", "4", "6"]


def test_a_month_that_does_not_exist_is_a_usage_error(
    campaign_dir: Callable[..., Path], cli: Callable[..., Result]
) -> None:
    folder = campaign_dir(CN_CAMPAIGN)
    for given in ("2023-13", "October", "\x1b[31m2023"):
        result = cli("calendar", "--config", folder / "campaign.toml", "--month", given)
        assert result.code == 2, given
        assert "write a month like 2023-10" in result.err
        assert "\x1b" not in result.err
