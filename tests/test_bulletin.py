"""The bulletin: its periods, its numbers (rollup's, on both days) and its messages' size."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest

from checklist.bulletin import Bulletin, Period, build_bulletin, previous_end
from checklist.filters import Filters
from checklist.i18n import Lang
from checklist.load.campaign import load_campaign
from checklist.load.validate import validate
from checklist.model import Campaign, Unit
from checklist.render.bulletin import split_messages
from checklist.rollup import By, rollup_units
from conftest import REPO, Result

ZZ = REPO / "examples" / "zhengzhou"
DAY = dt.date(2023, 11, 20)


@pytest.mark.parametrize(
    ("as_of", "period", "since"),
    [
        ("2023-11-20", Period.WEEK, "2023-11-13"),
        ("2023-11-20", Period.DEKAD, "2023-11-10"),  # the 20th closes the second dekad
        ("2023-11-25", Period.DEKAD, "2023-11-20"),
        ("2023-11-10", Period.DEKAD, "2023-10-31"),
        ("2023-11-05", Period.DEKAD, "2023-10-31"),
        ("2023-11-20", Period.MONTH, "2023-10-31"),
        ("2024-03-05", Period.MONTH, "2024-02-29"),
        ("2024-01-01", Period.MONTH, "2023-12-31"),
    ],
)
def test_the_previous_period_ends(as_of: str, period: Period, since: str) -> None:
    assert previous_end(dt.date.fromisoformat(as_of), period) == dt.date.fromisoformat(since)


def _bulletin(period: Period, by: By = By.COUNTY) -> Bulletin:
    campaign = load_campaign(ZZ / "campaign.toml")
    files = sorted((ZZ / "units").rglob("*.toml"))
    units = [r.unit for r in validate(files, campaign=campaign, today=DAY).results if r.unit]
    return build_bulletin(
        units, campaign=campaign, as_of=DAY, period=period, soon=7, filters=Filters(), by=by
    )


def _rollup(cli: Callable[..., Result], day: dt.date, by: str) -> dict[str, Any]:
    args = ("--as-of", day.isoformat(), "--by", by, "--lights", "--format", "json")
    result = cli("rollup", ZZ, *args)
    assert result.code == 0, result.err
    return json.loads(result.out)  # type: ignore[no-any-return]


@pytest.mark.parametrize("period", list(Period))
@pytest.mark.parametrize("by", ["county", "group"])
def test_the_numbers_are_rollups_on_the_day_and_the_previous_period(
    cli: Callable[..., Result], period: Period, by: str
) -> None:
    found = _bulletin(period, By(by))
    now = _rollup(cli, DAY, by)
    before = {r["key"]: r for r in _rollup(cli, found.since, by)["rows"]}
    assert {a.key for a in found.areas} == {r["key"] for r in now["rows"]}
    areas = {a.key: a for a in found.areas}
    for row in [*now["rows"], now["total"]]:
        area = found.total if row["key"] == "total" else areas[row["key"]]
        then = (
            _rollup(cli, found.since, by)["total"] if row["key"] == "total" else before[row["key"]]
        )
        assert (area.units, area.tasks, area.done, area.overdue) == (
            row["units"],
            row["tasks"],
            row["done"],
            row["overdue"],
        )
        assert round(area.on_time, 4) == row["on_time"]  # type: ignore[arg-type]
        assert area.light is not None
        assert area.light.value == row["light"]
        assert area.done_before == then["done"]
        assert area.done_in_period == row["done"] - then["done"]
        change = (row["on_time"] - then["on_time"]) * 100  # from the rounded JSON shares
        assert area.on_time_change is not None
        assert abs(area.on_time_change - change) <= 0.06
    shares = [a.on_time for a in found.areas]
    assert shares == sorted(shares, reverse=True)  # type: ignore[type-var]


def test_the_dekad_bulletin_by_hand(cli: Callable[..., Result]) -> None:
    """2023-11-20, the dekad from 11-11: 二七区 and 登封市 share first place at 100 %."""
    result = cli("bulletin", ZZ, "--period", "dekad", "--as-of", "2023-11-20", "--lang", "zh")
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0] == "# 郑州市第二批主题教育旬通报(2023-11-11 至 2023-11-20)"
    assert lines[5].startswith("1. **二七区**:按期率 100.0%(+0.0 个百分点)")
    assert lines[6].startswith("1. **登封市**:按期率 100.0%")
    assert lines[7].startswith("3. **市直**")
    assert "- 中牟县:应报 4 份,缺报 1 份" in lines
    assert "- 航空港区:应报 6 份,缺报 2 份" in lines
    assert sum(line[:1].isdigit() for line in lines) == 17  # every county ranked once
    assert len(result.out.encode("utf-8")) <= 4096  # one WeCom message


def test_the_bulletin_by_group_in_english(cli: Callable[..., Result]) -> None:
    result = cli("bulletin", ZZ, "--by", "group", "--as-of", "2023-11-20")
    assert result.code == 0
    assert "## Ranked by on-time %, by Liaison group" in result.out
    ranked = [line for line in result.out.splitlines() if line[:1].isdigit()]
    assert [line.split("**")[1] for line in ranked] == [
        "第五联络组",
        "第一联络组",
        "第三联络组",
        "第四联络组",
        "第六联络组",
        "第二联络组",
    ]


def test_messages_fit_the_limit_and_keep_every_line() -> None:
    text = "# 标题\n\n" + "".join(
        f"{n}. **单位{n}**:按期率 50.0%,逾期 {n} 项\n" for n in range(400)
    )
    parts = split_messages(text, Lang.ZH, limit=4096)
    assert len(parts) > 1
    assert all(len(p.encode("utf-8")) <= 4096 for p in parts)
    assert [p.split("\n", 1)[0] for p in parts] == [
        f"(第 {n} 条,共 {len(parts)} 条)" for n in range(1, len(parts) + 1)
    ]
    kept = [line for p in parts for line in p.rstrip("\n").split("\n")[1:]]
    assert kept == text.rstrip("\n").split("\n")
    assert split_messages("short\n", Lang.ZH) == ["short\n"]


def test_a_line_longer_than_a_message_is_cut() -> None:
    parts = split_messages("甲" * 3000 + "\n乙\n", Lang.EN, limit=1000)
    assert all(len(p.encode("utf-8")) <= 1000 for p in parts)
    assert parts[0].startswith("(part 1 of 2)\n甲")
    assert parts[0].rstrip("\n").endswith("…")


def test_the_cli_splits_at_max_bytes(cli: Callable[..., Result]) -> None:
    result = cli("bulletin", ZZ, "--as-of", "2023-11-20", "--lang", "zh", "--max-bytes", "1000")
    assert result.code == 0
    parts = result.out.split("\n---\n\n")
    assert len(parts) >= 3
    assert all(len(p.encode("utf-8")) <= 1000 for p in parts)
    whole = cli("bulletin", ZZ, "--as-of", "2023-11-20", "--lang", "zh").out
    assert [x for p in parts for x in p.splitlines()[1:]] == whole.rstrip("\n").splitlines()


# --- one pass: each day's tasks rolled up once, by unit, the rest summed -------------------

FILTERS: list[dict[str, tuple[str, ...]]] = [
    {},
    {"county": ("410122", "410103")},
    {"level": ("grassroots",)},
    {"group": ("第二联络组",)},
    {"measure": ("study",)},  # a unit counts only where it has a selected task
    {"owner": ("李强",)},
    {"unit": ("erqi-committee",)},
]


@pytest.fixture(scope="module")
def example() -> tuple[Campaign, list[Unit]]:
    campaign = load_campaign(ZZ / "campaign.toml")
    files = sorted((ZZ / "units").rglob("*.toml"))
    units = [r.unit for r in validate(files, campaign=campaign, today=DAY).results if r.unit]
    return campaign, units


@pytest.mark.parametrize("given", FILTERS, ids=lambda f: ",".join(f) or "none")
@pytest.mark.parametrize("by", [By.COUNTY, By.GROUP])
@pytest.mark.parametrize("day", [DAY, dt.date(2023, 10, 31), dt.date(2023, 9, 9)])
def test_one_pass_gives_rollup_standings_rows_and_lights(
    example: tuple[Campaign, list[Unit]], given: dict[str, tuple[str, ...]], by: By, day: dt.date
) -> None:
    """The bulletin's day (one selection, one roll-up by unit) against what it replaces:
    ``trend.rollup_standings`` on that day, by county or group and by unit."""
    from checklist.bulletin import _Day
    from checklist.filters import make_filters
    from checklist.trend import rollup_standings

    campaign, units = example
    filters = make_filters(campaign, units, **given)
    once = _Day.of(units, campaign, day, 7, filters)

    for kind in (by, By.UNIT, By.COUNTY):
        expected, standings = rollup_standings(
            units, campaign=campaign, as_of=day, compare=day, soon=7, filters=filters, by=kind
        )
        rows, total = once.rows(kind) if kind is not By.UNIT else (
            {r.key: r for r in once.per_unit.rows}, once.per_unit.total
        )  # fmt: skip
        assert tuple(rows.values()) == expected.rows
        assert total == expected.total
        if kind is by:
            lights = once.lights(campaign, by, tuple(rows))
            assert lights == {k: s.light for k, s in standings.rows.items()} | {
                "total": standings.total.light
            }


def test_two_units_of_one_id_are_counted_afresh(example: tuple[Campaign, list[Unit]]) -> None:
    """Their one row by unit cannot be split between two counties: rollup by county itself."""
    from checklist.bulletin import _by_county, _Day

    campaign, units = example
    zhongmu = next(u for u in units if u.county == "410122")
    twin = dataclasses.replace(units[0], id=zhongmu.id)  # same id, another county
    both = [*units, twin]
    once = _Day.of(both, campaign, DAY, 7, Filters())

    assert _by_county(once.per_unit, once.kept, once.view) is None
    rows, total = once.rows(By.COUNTY)
    expected = rollup_units(both, campaign=campaign, as_of=DAY, soon=7, filters=Filters())
    assert (tuple(rows.values()), total) == (expected.rows, expected.total)
