"""The wall chart's data (chart.py) on the worked example of docs/semantics.md, and a second
measure worked by hand.

The example ("Trend: a worked example"): a campaign from 1 September 2023; county A
(甲区) has four study tasks, county B (乙区) three; reported on 10 September and compared
with 3 September. docs/semantics.md works every number below; county C (丙区) is added
here, with two measures, and worked in the comments.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from checklist.chart import LAGGARD_TASKS, Chart, build_chart
from checklist.filters import Filters
from checklist.model import Campaign, County, Level, MeasureDef, Person, State, Task, Unit
from checklist.rollup import Counts, rollup_units
from checklist.trend import Light

START = dt.date(2023, 9, 1)
AS_OF, COMPARE = dt.date(2023, 9, 10), dt.date(2023, 9, 3)
CAMPAIGN = Campaign(
    "示例",
    START,
    dt.date(2023, 9, 30),
    (County("410101", "甲区", 2), County("410102", "乙区"), County("410103", "丙区")),
    (MeasureDef("study", "理论学习"), MeasureDef("research", "调查研究")),
)


def _day(day: int) -> dt.date:
    return dt.date(2023, 9, day)


def _task(unit: str, title: str, due: int, done: int | None, measure: str = "study") -> Task:
    return Task(
        measure,
        1,
        title,
        Person("张伟", None, unit),
        _day(due),
        (_day(done),) if done else (),
    )


def _unit(uid: str, county: str, tasks: list[Task]) -> Unit:
    return Unit(
        uid, f"{uid}单位", county, Level.COUNTY, Person("王红", None, uid), tuple(tasks), ""
    )


A = _unit(
    "a",
    "410101",
    [
        _task("a", "a1", 3, 2),
        _task("a", "a2", 5, 7),
        _task("a", "a3", 8, None),
        _task("a", "a4", 20, 1),
    ],
)
B = _unit(
    "b", "410102", [_task("b", "b1", 5, None), _task("b", "b2", 6, None), _task("b", "b3", 30, 2)]
)
# 丙区 on 10 September: study c1 done on its due day (1 of 1 due, 1 done: 0 behind, green);
# research c2 due on the 4th and open, c3 due on the 25th (1 of 2 due, none done: 50 behind,
# red); the county: 2 of 3 due, 1 done, 33.3 behind, red.
C = _unit(
    "c",
    "410103",
    [
        _task("c", "c1", 2, 2),
        _task("c", "c2", 4, None, "research"),
        _task("c", "c3", 25, None, "research"),
    ],
)


def _chart(units: list[Unit], filters: Filters | None = None) -> Chart:
    return build_chart(
        units, campaign=CAMPAIGN, as_of=AS_OF, compare=COMPARE, filters=filters or Filters()
    )


def test_the_worked_example_counties_lights_and_ranks() -> None:
    chart = _chart([A, B])
    a, b, c = chart.counties
    assert (a.row.name, b.row.name, c.row.name) == ("甲区", "乙区", "丙区")
    assert a.row.counts == Counts(tasks=4, done=3, done_late=1, overdue=1, due_soon=0)
    assert b.row.counts == Counts(tasks=3, done=1, overdue=2, due_soon=0)
    assert a.standing
    assert b.standing
    assert c.standing
    # A: 3 of 4 due, 3 done, 0 behind, green; rank 1, second on the 3rd: +1.
    assert (a.standing.point.due, a.standing.light, a.standing.rank) == (3, Light.GREEN, 1)
    assert a.standing.rank_change == 1
    # B: 2 of 3 due, 1 done, 33.3 behind: red; rank 2, first on the 3rd: -1.
    assert b.standing.point.behind == Fraction(100, 3)
    assert (b.standing.light, b.standing.rank, b.standing.rank_change) == (Light.RED, 2, -1)
    # C has no task: no light, no rank, and it is ranked last.
    assert (c.standing.light, c.standing.rank) == (None, None)
    assert [line.row.key for line in chart.ranking] == ["410101", "410102", "410103"]
    total = chart.total.standing
    assert total is not None
    assert (total.point.due, total.point.done, total.light) == (5, 4, Light.YELLOW)
    assert (chart.as_of, chart.compare, chart.lights.yellow, chart.lights.red) == (
        AS_OF,
        COMPARE,
        10,
        30,
    )


def test_cells_split_each_row_by_measure() -> None:
    chart = _chart([A, B, C])
    a, _, c = chart.counties
    study, research = c.cells
    assert (study.measure, study.counts.done, study.counts.tasks, study.light) == (
        "study",
        1,
        1,
        Light.GREEN,
    )
    assert (research.counts.done, research.counts.tasks, research.counts.overdue) == (0, 2, 1)
    assert (research.point.due, research.point.behind, research.light) == (1, 50, Light.RED)
    assert c.standing
    assert c.standing.light is Light.RED
    # A has no research task: an empty cell, without a light.
    assert (a.cells[1].counts, a.cells[1].light) == (Counts(), None)
    # The total's cells are the sums of the counties' (study 8, research 2).
    assert [cell.counts.tasks for cell in chart.total.cells] == [8, 2]
    assert [cell.point.due for cell in chart.total.cells] == [
        3 + 2 + 1,  # a1-a3, b1-b2, c1
        1,  # c2
    ]


def test_the_cells_hold_rollups_counts() -> None:
    units = [A, B, C]
    chart = _chart(units)
    result = rollup_units(units, campaign=CAMPAIGN, as_of=AS_OF, soon=7, filters=Filters())
    for line, row in zip((*chart.counties, chart.total), (*result.rows, result.total), strict=True):
        assert line.row == row
        for cell in line.cells:
            counts = row.measures.get(cell.measure, Counts())
            assert cell.counts == counts
            assert (cell.point.done, cell.point.tasks, cell.point.overdue) == (
                counts.done,
                counts.tasks,
                counts.overdue,
            )


def test_missing_units_laggards_and_sections() -> None:
    chart = _chart([A, B, C])
    assert [(r.key, r.expected_units, r.units, r.missing_units) for r in chart.missing] == [
        ("410101", 2, 1, 1)
    ]
    # b: 2 overdue (b1 since the 5th, b2 since the 6th); then a and c, one each, with
    # the same on-time share (a: 2 on time of 3 done + 1 overdue; c: 1 of 1 + 1): by id.
    assert [lag.line.row.key for lag in chart.laggards] == ["b", "a", "c"]
    b = chart.laggards[0]
    assert b.county == "乙区"
    assert [(i.task.title, i.days_overdue, i.state) for i in b.overdue] == [
        ("b1", 5, State.OVERDUE),
        ("b2", 4, State.OVERDUE),
    ]
    assert b.more == 0
    assert [[u.row.key for u in s.units] for s in chart.sections] == [["a"], ["b"], ["c"]]
    assert [s.line.row.key for s in chart.sections] == ["410101", "410102", "410103"]


def test_a_laggard_lists_its_most_overdue_tasks_and_counts_the_rest() -> None:
    many = [_task("d", f"d{n}", n, None) for n in range(1, 7)]  # due the 1st to the 6th
    chart = _chart([_unit("d", "410101", many)])
    (lag,) = chart.laggards
    assert len(lag.overdue) == LAGGARD_TASKS
    assert [i.task.title for i in lag.overdue] == ["d1", "d2", "d3"]
    assert lag.more == 6 - LAGGARD_TASKS


def test_the_daily_trend_runs_from_the_start_to_the_report_day() -> None:
    chart = _chart([A, B])
    assert chart.trend.days[0] == START
    assert chart.trend.days[-1] == AS_OF
    assert len(chart.trend.days) == 10
    third = chart.trend.total.point(2)  # 3 September, as in the worked example
    assert (third.day, third.due, third.done) == (_day(3), 1, 3)
    assert [row.key for row in chart.trend.rows] == ["410101", "410102", "410103"]
    assert chart.trend.total.last == chart.total.standing.point  # type: ignore[union-attr]


def test_filters_narrow_counties_and_measures() -> None:
    chart = _chart(
        [A, B, C], Filters(counties=frozenset({"410103"}), measures=frozenset({"research"}))
    )
    assert [m.key for m in chart.campaign.measures] == ["research"]
    (c,) = chart.counties
    assert [cell.measure for cell in c.cells] == ["research"]
    assert c.row.counts.tasks == 2
    assert chart.total.row.counts.tasks == 2


def test_a_unit_called_total_keeps_its_own_cells() -> None:
    unit = _unit("total", "410102", [_task("total", "t1", 4, None)])
    chart = _chart([A, unit])
    (section_line,) = chart.sections[1].units
    assert section_line.row.key == "total"
    assert [cell.counts.tasks for cell in section_line.cells] == [1, 0]
    assert [cell.point.tasks for cell in section_line.cells] == [1, 0]
    assert [cell.point.tasks for cell in chart.total.cells] == [5, 0]


def test_a_report_day_before_the_start() -> None:
    day = dt.date(2023, 8, 20)
    chart = build_chart([A], campaign=CAMPAIGN, as_of=day, compare=day, filters=Filters())
    assert chart.trend.days == (day,)
    assert chart.total.row.counts.done == 0
    assert chart.laggards == ()
