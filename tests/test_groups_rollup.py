"""rollup --by group|sector and --group: each group's row is the sum of its members' rows."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from checklist.model import Level, LiaisonGroup, Person, Unit
from checklist.rollup import By, Counts, rollup
from checklist.status import items
from conftest import REPO, Result
from test_rollup import CAMPAIGN, _counts, days, tasks

ZZ = REPO / "examples" / "zhengzhou"
FIELDS = ("tasks", "done", "done_late", "open", "overdue", "due_soon", "postponed")


def _json(cli: Callable[..., Result], *args: str) -> dict[str, Any]:
    result = cli("rollup", ZZ, "--format", "json", *args)
    assert result.code == 0, result.err
    return json.loads(result.out)  # type: ignore[no-any-return]


def _sum(rows: list[dict[str, Any]]) -> dict[str, int]:
    total = Counter[str]()
    for row in rows:
        total.update({k: row[k] for k in FIELDS})
    return {k: total[k] for k in FIELDS}


def test_group_rows_of_the_example_are_the_sums_of_their_units(
    cli: Callable[..., Result],
) -> None:
    from test_groups import _expected

    by_group = _json(cli, "--by", "group")
    by_unit = _json(cli, "--by", "unit")
    from checklist.load.campaign import load_campaign

    campaign = load_campaign(ZZ / "campaign.toml")
    sectors = {}
    for path in (ZZ / "units").rglob("*.toml"):
        text = path.read_text("utf-8")
        sectors[path.stem] = next(
            (line.split('"')[1] for line in text.splitlines() if line.startswith("sector")), None
        )
    assert [r["key"] for r in by_group["rows"]] == [
        f"第{n}联络组" for n in "一二三四五六"
    ]  # every unit is covered: no "(no group)" row
    for row in by_group["rows"]:
        mine = [
            r
            for r in by_unit["rows"]
            if _expected(r["key"], r["county"], sectors[r["key"]]) == row["key"]
        ]
        assert row["units"] == len(mine)
        assert {k: row[k] for k in FIELDS} == _sum(mine), row["key"]
    # The groups share no unit, so they add up to the total, which is the county roll-up's.
    assert _sum(by_group["rows"]) == {k: by_group["total"][k] for k in FIELDS}
    by_county = _json(cli)["total"]
    assert {k: by_group["total"][k] for k in FIELDS} == {k: by_county[k] for k in FIELDS}
    assert by_group["total"]["units"] == by_county["units"] == 57
    assert len(campaign.groups) == 8


def test_the_hand_worked_rows_by_group(cli: Callable[..., Result]) -> None:
    """第四联络组 on 2023-11-20: the four schools and the education bureau (docs/groups.md)."""
    by_unit = {r["key"]: r for r in _json(cli, "--by", "unit")["rows"]}
    members = (
        "guancheng-nanguan-primary-school",
        "gongyi-no2-high-school",
        "hkg-no1-middle-school",
        "sz-no1-middle-school",
        "sz-education-bureau",
    )
    (row,) = [r for r in _json(cli, "--by", "group")["rows"] if r["key"] == "第四联络组"]
    assert row["units"] == 5
    assert row["tasks"] == sum(by_unit[m]["tasks"] for m in members) == 50
    assert row["overdue"] == sum(by_unit[m]["overdue"] for m in members) == 4


def test_sector_rows_partition_the_units(cli: Callable[..., Result]) -> None:
    found = _json(cli, "--by", "sector")
    assert [(r["key"], r["units"]) for r in found["rows"]] == [
        ("学校", 4),
        ("医院", 4),
        ("企业", 6),
        ("—", 43),
    ]
    assert _sum(found["rows"]) == {k: found["total"][k] for k in FIELDS}


def test_group_filter_keeps_the_groups_units_and_skips_the_index(
    cli: Callable[..., Result],
) -> None:
    whole = {r["key"]: r for r in _json(cli, "--by", "group")["rows"]}
    one = _json(cli, "--by", "county", "--group", "第一联络组")
    # 第一联络组 is its two 片: its own units are theirs.
    assert {k: one["total"][k] for k in FIELDS} == {k: whole["第一联络组"][k] for k in FIELDS}
    assert {r["county"] for r in one["rows"]} == {
        "410102",
        "410103",
        "410104",
        "410105",
        "410106",
        "410108",
    }
    part = _json(cli, "--by", "unit", "--group", "第一联络组一片")
    assert {r["county"] for r in part["rows"]} == {"410102", "410103", "410104"}
    assert "guancheng-nanguan-primary-school" not in {r["key"] for r in part["rows"]}
    # the cached index cannot test a unit against [[groups]]: the same numbers either way
    assert _json(cli, "--by", "county", "--group", "第一联络组", "--no-cache") == one


def test_status_and_an_unknown_group(cli: Callable[..., Result]) -> None:
    result = cli("status", ZZ, "--group", "第五联络组", "--all", "--format", "json")
    units = {i["unit"] for i in json.loads(result.out)["tasks"]}
    assert units == {
        "jinshui-general-hospital",
        "zhongmu-people-hospital",
        "xinzheng-people-hospital",
        "sz-central-hospital",
        "sz-health-commission",
    }
    wrong = cli("status", ZZ, "--group", "第五组")
    assert wrong.code == 2
    assert "--group: no such value '第五组'" in wrong.err


# --- property: any forest of groups, any units ---------------------------------------------

SECTORS = ("机关", "学校", "企业")
GROUPS = (
    LiaisonGroup("G1", "x", subgroups=("G1a", "G1b")),
    LiaisonGroup("G1a", "x", counties=("A",), sectors=("机关",)),
    LiaisonGroup("G1b", "x", counties=("B",)),
    LiaisonGroup("G2", "x", sectors=("学校",), units=("u0",), overlaps=("G1",)),
    LiaisonGroup("G3", "x", sectors=("企业",)),
)


@st.composite
def sorted_units(draw: st.DrawFn) -> list[Unit]:
    found = []
    for n in range(draw(st.integers(min_value=0, max_value=7))):
        uid = f"u{n}"
        found.append(
            Unit(
                uid,
                f"单位{n}",
                draw(st.sampled_from(["A", "B", "C"])),
                draw(st.sampled_from(list(Level))),
                Person("联系人", None, uid),
                tuple(draw(st.lists(tasks(uid), min_size=1, max_size=4))),
                f"{uid}.toml",
                sector=draw(st.sampled_from([None, *SECTORS])),
            )
        )
    return found


def _members(unit: Unit) -> set[str]:
    """Top-level groups by hand, from GROUPS' definitions written out."""
    found = set()
    if (unit.county == "A" and unit.sector in (None, "机关")) or unit.county == "B":
        found.add("G1")
    if unit.sector == "学校" or unit.id == "u0":
        found.add("G2")
    if unit.sector == "企业":
        found.add("G3")
    return found or {"—"}


@settings(max_examples=150, deadline=None)
@given(sorted_units(), days, st.sampled_from([By.GROUP, By.SECTOR]))
def test_each_row_is_the_sum_of_its_members_and_the_total_counts_each_task_once(
    found: list[Unit], as_of: dt.date, by: By
) -> None:
    campaign = CAMPAIGN.__class__(
        **{f: getattr(CAMPAIGN, f) for f in ("name", "start", "end", "counties")},
        sectors=SECTORS,
        groups=GROUPS,
    )
    status = list(items(found, campaign=campaign, as_of=as_of, soon=7))
    result = rollup(status, found, campaign=campaign, by=by)
    per_unit = {r.key: r for r in rollup(status, found, campaign=campaign, by=By.UNIT).rows}
    for row in result.rows:
        mine = [
            u
            for u in found
            if (row.key in _members(u) if by is By.GROUP else (u.sector or "—") == row.key)
        ]
        assert row.units == len(mine)
        assert row.counts == sum((per_unit[u.id].counts for u in mine), Counts())
        assert sum(c.tasks for c in row.measures.values()) == row.counts.tasks
    assert _counts(result.total.counts) == _counts(
        rollup(status, found, campaign=campaign, by=By.COUNTY).total.counts
    )
    assert result.total.units == len(found)
    if by is By.GROUP:
        assert [r.key for r in result.rows][:3] == ["G1", "G2", "G3"]  # even when empty


def test_the_docs_show_real_output(cli: Callable[..., Result]) -> None:
    text = (REPO / "docs" / "groups.md").read_text("utf-8")
    block = text.split("```console\n", 1)[1].split("```", 1)[0]
    command, expected = block.split("\n", 1)
    args = command.removeprefix("$ checklist ").split()
    args[1] = str(REPO / args[1])
    result = cli(*args)
    assert result.code == 0
    assert result.out == expected


def test_trend_by_group_and_sector_ends_where_rollup_stands(cli: Callable[..., Result]) -> None:
    """trend's last point of each group or sector is rollup's row on the report day; the
    total counts each task once, as rollup's total does, though groups may share units."""
    for by in ("group", "sector"):
        rows = {r["key"]: r for r in _json(cli, "--by", by, "--as-of", "2023-11-20")["rows"]}
        result = cli("trend", ZZ, "--by", by, "--as-of", "2023-11-20", "--format", "json")
        assert result.code == 0, result.err
        found = json.loads(result.out)
        assert found["rows"]
        for series in found["rows"]:
            row, last = rows[series["key"]], series["series"][-1]
            assert series["tasks"] == row["tasks"]
            assert (last["done"], last["overdue"]) == (row["done"], row["overdue"])
        total = _json(cli, "--as-of", "2023-11-20")["total"]
        assert found["total"]["tasks"] == total["tasks"]
        assert found["total"]["series"][-1]["done"] == total["done"]
