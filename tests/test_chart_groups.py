"""The wall chart's liaison groups (联络组): a hand-worked example of the core, and the page
read back with html.parser and compared with `rollup --by group --format json`."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import pytest

from checklist.chart import Chart, build_chart
from checklist.filters import Filters
from checklist.i18n import Lang
from checklist.model import LiaisonGroup
from checklist.render.chart import render_chart
from checklist.rollup import Counts
from checklist.trend import Light
from conftest import REPO, Result
from test_chart import AS_OF, CAMPAIGN, COMPARE, A, B, C
from test_chart_page import Page

EXAMPLE = REPO / "examples" / "zhengzhou"
Run = Callable[..., Result]

# 甲组 covers 甲区 and unit c by id; 乙组 covers 乙区 and unit c, sharing it on purpose;
# 丙组 covers the schools, and no unit is one.
GROUPS = (
    LiaisonGroup("甲组", "赵一 <z1@example.cn>", counties=("410101",), units=("c",)),
    LiaisonGroup("乙组", "钱二", counties=("410102",), units=("c",), overlaps=("甲组",)),
    LiaisonGroup("丙组", "孙三", sectors=("学校",)),
)


def _chart(groups: tuple[LiaisonGroup, ...] = GROUPS, **filters: object) -> Chart:
    campaign = replace(CAMPAIGN, groups=groups)
    return build_chart(
        [A, B, C],
        campaign=campaign,
        as_of=AS_OF,
        compare=COMPARE,
        filters=Filters(**filters),  # type: ignore[arg-type]
    )


def test_the_worked_example_groups_counts_lights_and_ranks() -> None:
    view = _chart().groups
    assert view is not None
    first, second, third = view.lines
    assert [line.row.key for line in view.lines] == ["甲组", "乙组", "丙组"]
    # 甲组 = A + C: A 4 tasks, 3 done (1 late), 1 overdue; C 3 tasks, 1 done, 1 overdue.
    assert first.row.units == 2
    assert first.row.counts == Counts(tasks=7, done=4, done_late=1, overdue=2, due_soon=0)
    # 乙组 = B + C: B 3 tasks, 1 done, 2 overdue.
    assert second.row.units == 2
    assert second.row.counts == Counts(tasks=6, done=2, overdue=3, due_soon=0)
    assert (third.row.units, third.row.counts.tasks) == (0, 0)
    # The total counts C once: 10 tasks, 5 done, 4 overdue, 3 units.
    assert view.total.row.units == 3
    assert view.total.row.counts == Counts(tasks=10, done=5, done_late=1, overdue=4, due_soon=0)
    # On 10 September 甲组 has 5 of 7 due and 4 done: 1/7 behind, yellow; 乙组 4 of 6 due
    # and 2 done: 1/3 behind, red. On 3 September 甲组 was 1/7 ahead (2 due, 3 done) and 乙组
    # 1/6 ahead (1 due, 2 done): 乙组 first then, 甲组 first now.
    assert first.standing
    assert second.standing
    assert third.standing
    assert first.standing.point.behind == Fraction(100, 7)
    assert (first.standing.light, first.standing.rank, first.standing.rank_change) == (
        Light.YELLOW,
        1,
        1,
    )
    assert second.standing.point.behind == Fraction(100, 3)
    assert (second.standing.light, second.standing.rank, second.standing.rank_change) == (
        Light.RED,
        2,
        -1,
    )
    assert (third.standing.light, third.standing.rank) == (None, None)
    assert [line.row.key for line in view.ranking] == ["甲组", "乙组", "丙组"]
    # The total: 7 of 10 due, 5 done: 20 behind, yellow (each task once).
    total = view.total.standing
    assert total is not None
    assert (total.point.due, total.point.done, total.light) == (7, 5, Light.YELLOW)


def test_each_groups_cells_and_line() -> None:
    view = _chart().groups
    assert view is not None
    first, second, _ = view.lines
    lights = {(line.row.key, c.measure): c.light for line in view.lines for c in line.cells}
    # 甲组 study: A's four and c1, 4 due and 4 done: green; research: c2 and c3, 1 due,
    # none done: red. 乙组 study: B's three and c1, 3 due, 2 done: 25 behind, yellow.
    assert lights == {
        ("甲组", "study"): Light.GREEN,
        ("甲组", "research"): Light.RED,
        ("乙组", "study"): Light.YELLOW,
        ("乙组", "research"): Light.RED,
        ("丙组", "study"): None,
        ("丙组", "research"): None,
    }
    assert [c.counts.tasks for c in first.cells] == [5, 2]
    assert [c.counts.overdue for c in second.cells] == [2, 1]
    # The daily line ends where the standing stands.
    series = {s.key: s for s in view.trend.rows}
    assert series["甲组"].last.actual == Fraction(4, 7)
    assert series["乙组"].last.expected == Fraction(4, 6)
    assert series["甲组"].points[0].day == CAMPAIGN.start
    assert series["甲组"].last.day == AS_OF


def test_each_group_lists_its_units_furthest_behind_first() -> None:
    view = _chart().groups
    assert view is not None
    members = {key: [u.row.key for u in units] for key, units in view.members.items()}
    # A is green (3 of 4 due, 3 done); B and C red (1/3 behind), B with more overdue.
    assert members == {"甲组": ["c", "a"], "乙组": ["b", "c"], "丙组": []}
    for line in view.lines:
        found = view.members[line.row.key]
        assert sum((u.row.counts for u in found), Counts()) == line.row.counts


def test_units_no_group_covers_make_their_own_row() -> None:
    view = _chart((LiaisonGroup("甲组", "赵一", counties=("410101",)),)).groups
    assert view is not None
    assert [(line.row.key, line.row.units) for line in view.lines] == [("甲组", 1), ("—", 2)]
    assert [u.row.key for u in view.members["—"]] == ["b", "c"]


def test_no_groups_no_view() -> None:
    assert _chart(()).groups is None


def test_filters_narrow_the_groups() -> None:
    view = _chart(counties=frozenset({"410102"})).groups
    assert view is not None
    assert [(line.row.key, line.row.units) for line in view.lines] == [
        ("甲组", 0),
        ("乙组", 1),
        ("丙组", 0),
    ]
    assert view.total.row.counts.tasks == 3


HOSTILE = (
    "<script>window.pwned=1</script>",
    '"><svg onload=window.pwned=2>',
    "{{ 7 * 7 }}{% raw %}]]>",
)


@pytest.mark.parametrize("lang", list(Lang))
def test_hostile_group_names_are_text(lang: Lang) -> None:
    groups = (
        LiaisonGroup(HOSTILE[0], HOSTILE[1], counties=("410101",)),
        LiaisonGroup(HOSTILE[2], "孙三", counties=("410102", "410103")),
    )
    page = Page(render_chart(_chart(groups), lang))
    text = "".join(page.text)
    for hostile in HOSTILE:
        assert hostile in text
    assert "49" not in text
    names = [tag for tag, _ in page.tags]
    assert "script" not in names
    assert names.count("svg") == 1 + 3 + 3 + 2  # total, counties' two each, groups' one each
    assert not [a for _, a in page.tags if any(k.startswith("on") for k in a)]
    rows = [a["data-group"] for a in page.having("data-rank") if "data-group" in a]
    assert sorted(rows) == sorted([HOSTILE[0], HOSTILE[2]])


# --- the page against rollup --by group ---------------------------------------------


def _page(cli: Run, tmp_path: Path, *args: str | Path) -> Page:
    target = tmp_path / "wall.html"
    result = cli("chart", *args, "-o", target)
    assert result.code == 0, result.err
    return Page(target.read_text(encoding="utf-8"))


def _rollup(cli: Run, *args: str | Path) -> dict:
    result = cli("rollup", *args, "--measures", "--lights", "--rank", "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_the_groups_numbers_are_rollup_by_groups(cli: Run, tmp_path: Path) -> None:
    page = _page(cli, tmp_path, EXAMPLE)
    rollup = _rollup(cli, EXAMPLE, "--by", "group")
    rows = {row["key"]: row for row in rollup["rows"]} | {"total": rollup["total"]}
    shown = {
        a["data-group"]: a
        for a in page.having("data-group")
        if "data-tasks" in a and "data-light" in a and "data-measure" not in a
    }
    assert set(shown) == set(rows)
    assert len(rows) == 7  # six groups and the total
    for key, attrs in shown.items():
        row = rows[key]
        for name in ("units", "done", "tasks", "overdue"):
            assert int(attrs[f"data-{name}"]) == row[name], (key, name)
        assert attrs["data-light"] == (row["light"] or ""), key
        if key != "total":
            assert attrs["data-rank"] == str(row["rank"]), key
            assert attrs["data-rank-change"] == str(row["rank_change"]), key
    ranked = [a["data-group"] for a in page.having("data-rank") if "data-group" in a]
    assert ranked == sorted(ranked, key=lambda key: rows[key]["rank"])
    cells = [c for c in page.having("data-measure") if "data-group" in c]
    assert len(cells) == 7 * 5
    for cell in cells:
        counts = rows[cell["data-group"]]["measures"].get(
            cell["data-measure"], {"done": 0, "tasks": 0, "overdue": 0}
        )
        for name in ("done", "tasks", "overdue"):
            assert int(cell[f"data-{name}"]) == counts[name], (cell["data-group"], name)


def test_each_cells_light_is_the_groups_rollup_of_that_measure(cli: Run, tmp_path: Path) -> None:
    page = _page(cli, tmp_path, EXAMPLE)
    cells = {
        (c["data-group"], c["data-measure"]): c["data-light"]
        for c in page.having("data-measure")
        if "data-group" in c
    }
    for measure in ("study", "rectification"):
        rollup = _rollup(cli, EXAMPLE, "--by", "group", "--measure", measure)
        for row in (*rollup["rows"], rollup["total"]):
            key = "total" if row is rollup["total"] else row["key"]
            assert cells[key, measure] == (row["light"] or ""), (key, measure)


def test_each_groups_units_are_its_rollup_rows(cli: Run, tmp_path: Path) -> None:
    page = _page(cli, tmp_path, EXAMPLE)
    rollup = _rollup(cli, EXAMPLE, "--by", "group")
    units = {row["key"]: row for row in _rollup(cli, EXAMPLE, "--by", "unit")["rows"]}
    listed: dict[str, list[dict[str, str]]] = {}
    group = None  # each group's units are listed in its own section
    for tag, attrs in page.tags:
        if tag == "section":
            group = attrs.get("data-group")
        elif tag == "li" and "data-unit" in attrs and group is not None:
            listed.setdefault(group, []).append(attrs)
    for row in rollup["rows"]:
        its = listed.get(row["key"], [])
        assert len(its) == row["units"], row["key"]
        for name in ("done", "tasks", "overdue"):
            assert sum(int(u[f"data-{name}"]) for u in its) == row[name], (row["key"], name)
        for unit in its:
            assert int(unit["data-tasks"]) == units[unit["data-unit"]]["tasks"]
    # Every unit of the example is in exactly one of the six groups.
    everyone = [u["data-unit"] for its in listed.values() for u in its]
    assert sorted(everyone) == sorted(units)


def test_group_lines_end_at_the_groups_done_share(cli: Run, tmp_path: Path) -> None:
    target = tmp_path / "wall.html"
    assert cli("chart", EXAMPLE, "-o", target).code == 0
    html = target.read_text(encoding="utf-8")
    rollup = _rollup(cli, EXAMPLE, "--by", "group")
    for row in rollup["rows"]:
        found = re.search(
            rf'<figure data-group="{re.escape(row["key"])}">.*?<figcaption><span>[^<]*</span>'
            r"<span>([\d.]+)% / ([\d.]+)%</span>",
            html,
            re.DOTALL,
        )
        assert found, row["key"]
        assert float(found[1]) == pytest.approx(row["completion"] * 100, abs=0.051)
        assert float(found[2]) == pytest.approx(row["expected"] * 100, abs=0.051)


def test_group_filter_makes_one_groups_page(cli: Run, tmp_path: Path) -> None:
    page = _page(cli, tmp_path, EXAMPLE, "--group", "第四联络组")
    rollup = _rollup(cli, EXAMPLE, "--group", "第四联络组")
    kpi = {a["data-kpi"]: a["data-value"] for a in page.having("data-kpi")}
    assert int(kpi["done"]) == rollup["total"]["done"]
    assert rollup["total"]["units"] == 5
    shown = {a["data-group"]: a for a in page.having("data-rank") if "data-group" in a}
    assert shown["第四联络组"]["data-units"] == "5"
    assert {k: v["data-units"] for k, v in shown.items() if k != "第四联络组"} == {
        "第一联络组": "0",
        "第二联络组": "0",
        "第三联络组": "0",
        "第五联络组": "0",
        "第六联络组": "0",
    }


def test_without_groups_the_page_has_no_groups_section(
    cli: Run, tmp_path: Path, write_unit: Callable[..., Path]
) -> None:
    from conftest import VALID_UNIT

    write_unit("u.toml", VALID_UNIT)
    page = _page(cli, tmp_path, tmp_path / "campaign")
    assert not page.having("data-group")
    assert not [a for _, a in page.tags if a.get("id") == "groups"]


def test_the_groups_words_in_both_languages(cli: Run, tmp_path: Path) -> None:
    root = tmp_path / "c"
    shutil.copytree(EXAMPLE, root)
    zh = "".join(_page(cli, tmp_path, root, "--lang", "zh").text)
    for words in ("联络组", "联系人 赵建国", "所辖单位 17 个"):
        assert words in zh
    assert "zhaojg@" not in zh  # the contact's name on the wall, not the address
    en = "".join(_page(cli, tmp_path, root, "--lang", "en").text)
    for words in ("Liaison groups", "contact 赵建国", "17 units"):
        assert words in en
