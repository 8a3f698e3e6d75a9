"""The wall chart's data (挂图作战): rollup's rows, lights, ranks and trend, for one page.

Nothing here counts anew: the rows are rollup's, the lights and ranks trend's standings,
the lines over time trend's daily series, all from one selection of the units, so the
page shows the numbers of ``rollup --format json`` (one computation, two renderings).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from checklist.filters import Filters
from checklist.groups import field_standings, row_keys
from checklist.model import Campaign, Item, Lights, State, Unit
from checklist.rollup import By, Counts, Row, rollup, select
from checklist.status import DEFAULT_SOON_DAYS, order
from checklist.trend import (
    Every,
    Light,
    Occurrence,
    Point,
    Standing,
    Trend,
    occurrences,
    sample_days,
    standings,
    tally,
    trend,
)

# The overview prints on one A3 page: it names this many units, and tasks of each.
LAGGARDS = 6
LAGGARD_TASKS = 3


@dataclass(frozen=True, slots=True)
class Cell:
    """One row's tasks of one measure: rollup's counts, and the light on the report day."""

    measure: str
    counts: Counts
    point: Point  # the trend's figures on the report day: tasks due by then, behind
    light: Light | None


@dataclass(frozen=True, slots=True)
class Line:
    """A row of the page: a county (or a unit in its county's section), or the total."""

    row: Row
    standing: Standing | None  # None for a unit row the standings do not know
    cells: tuple[Cell, ...]  # one per measure, in the campaign's order


@dataclass(frozen=True, slots=True)
class Laggard:
    """A unit with overdue tasks: its roll-up row and its most overdue tasks."""

    line: Line
    county: str  # the county's name
    overdue: tuple[Item, ...]  # at most LAGGARD_TASKS, most overdue first
    more: int  # overdue tasks not listed


@dataclass(frozen=True, slots=True)
class Section:
    """One county's page: its line, and its units × measures."""

    line: Line
    units: tuple[Line, ...]


@dataclass(frozen=True, slots=True)
class Groups:
    """The liaison groups' view (联络组): rollup --by group's rows, lights, ranks and lines."""

    lines: tuple[Line, ...]  # top-level groups in the campaign's order, then "(no group)"
    total: Line  # every task once (a unit two groups share counts in both rows)
    trend: Trend  # by group, every day from the start to the report day
    members: Mapping[str, tuple[Line, ...]]  # each row's units, the furthest behind first

    @property
    def ranking(self) -> tuple[Line, ...]:
        return _ranked(self.lines)


@dataclass(frozen=True, slots=True)
class Chart:
    campaign: Campaign  # as the filters narrow it: the counties and measures shown
    as_of: dt.date
    compare: dt.date
    lights: Lights
    counties: tuple[Line, ...]  # in the campaign's order
    total: Line
    trend: Trend  # by county, every day from the start to the report day
    laggards: tuple[Laggard, ...]
    sections: tuple[Section, ...]
    groups: Groups | None = None  # when the campaign declares [[groups]]

    @property
    def ranking(self) -> tuple[Line, ...]:
        """The counties by rank (those without tasks, hence without a rank, last)."""
        return _ranked(self.counties)

    @property
    def missing(self) -> tuple[Row, ...]:
        """The counties still missing unit files (缺报)."""
        return tuple(c.row for c in self.counties if c.row.missing_units)


def _ranked(lines: Sequence[Line]) -> tuple[Line, ...]:
    ranked = [c for c in lines if c.standing and c.standing.rank is not None]
    ranked.sort(key=lambda c: c.standing.rank if c.standing and c.standing.rank else 0)
    return (*ranked, *(c for c in lines if c not in ranked))


def build_chart(
    units: Iterable[Unit],
    *,
    campaign: Campaign,
    as_of: dt.date,
    compare: dt.date,
    filters: Filters,
) -> Chart:
    """The chart of the units and tasks the filters keep, on ``as_of``, ranked against ``compare``.

    What ``rollup_standings`` does for rollup, once for counties and once for units, from
    one selection; and ``campaign_trend``'s daily series.
    """
    selected, kept, view = select(
        units, campaign=campaign, as_of=as_of, soon=DEFAULT_SOON_DAYS, filters=filters
    )
    occurs = list(occurrences(selected))
    measures = tuple(m.key for m in view.measures)
    lines: dict[By, tuple[tuple[Line, ...], Line]] = {}
    totals: dict[tuple[str | None, str], Point] = {}
    for by in (By.COUNTY, By.UNIT):
        result = rollup(selected, kept, campaign=view, by=by)
        keys = tuple(r.key for r in result.rows)
        found = standings(
            occurs, as_of=as_of, compare=compare, lights=campaign.lights, by=by.value, keys=keys
        )
        cells = measure_points(occurs, as_of=as_of, by=by.value, keys=keys, measures=measures)
        if by is By.COUNTY:
            totals = cells
        made = tuple(
            _line(row, row.key, found.rows.get(row.key), cells, measures, campaign.lights)
            for row in result.rows
        )
        total = _line(result.total, None, found.total, cells, measures, campaign.lights)
        lines[by] = made, total
    counties, total = lines[By.COUNTY]
    unit_lines = lines[By.UNIT][0]
    daily = trend(
        occurs,
        days=sample_days(campaign.start, as_of, Every.DAY),
        by=By.COUNTY.value,
        keys=tuple(c.row.key for c in counties),
    )
    return Chart(
        view,
        as_of,
        compare,
        campaign.lights,
        counties,
        total,
        daily,
        laggards(selected, unit_lines, view),
        tuple(
            Section(c, tuple(u for u in unit_lines if u.row.county == c.row.key)) for c in counties
        ),
        group_view(
            selected,
            kept,
            campaign=view,
            as_of=as_of,
            compare=compare,
            units=unit_lines,
            totals=totals,
            daily=daily,
        )
        if campaign.groups
        else None,
    )


def group_view(
    selected: Sequence[Item],
    kept: Sequence[Unit],
    *,
    campaign: Campaign,
    as_of: dt.date,
    compare: dt.date,
    units: Sequence[Line],
    totals: Mapping[tuple[str | None, str], Point],
    daily: Trend,
) -> Groups:
    """The groups' rows as ``rollup --by group --lights --rank`` makes them (the same core
    functions), each cell's light per measure, their daily lines, and each group's units.

    ``totals`` and ``daily``: the counties' figures, whose total counts each task once.
    The cells and lines are ``field_trend``'s tallies, with the rows of each unit found
    once for all seven (finding them is most of the cost on a large city).
    """
    result = rollup(selected, kept, campaign=campaign, by=By.GROUP)
    keys = tuple(r.key for r in result.rows)
    found = field_standings(
        selected, kept, campaign=campaign, as_of=as_of, compare=compare, by=By.GROUP, keys=keys
    )
    rows_of = {u.id: row_keys(campaign, u, By.GROUP.value) for u in kept}

    def by_group(items: Iterable[Item], days: Sequence[dt.date]) -> Trend:
        counted = ((key, i.due, i.done, 1) for i in items for key in rows_of[i.unit.id])
        return tally(counted, days=days, by=By.GROUP.value, keys=keys)

    measures = tuple(m.key for m in campaign.measures)
    split: dict[str, list[Item]] = {m: [] for m in measures}
    for item in selected:
        split.setdefault(item.task.measure, []).append(item)
    points: dict[tuple[str | None, str], Point] = {
        (None, m): totals[None, m] for m in measures if (None, m) in totals
    }
    for measure in measures:
        for series in by_group(split[measure], (as_of,)).rows:
            points[series.key, measure] = series.last
    lights = campaign.lights
    lines = tuple(
        _line(row, row.key, found.rows.get(row.key), points, measures, lights)
        for row in result.rows
    )
    total = _line(result.total, None, found.total, points, measures, lights)
    lines_over_time = replace(by_group(selected, daily.days), total=daily.total)
    members: dict[str, list[Line]] = {key: [] for key in keys}
    for line in sorted(units, key=_behind_first):
        for key in rows_of.get(line.row.key, ()):
            members.setdefault(key, []).append(line)
    return Groups(lines, total, lines_over_time, {key: tuple(its) for key, its in members.items()})


_SEVERITY = {Light.RED: 0, Light.YELLOW: 1, Light.GREEN: 2}


def _behind_first(line: Line) -> tuple[int, int, str]:
    """Red units first, then yellow, green and those without tasks; most overdue first."""
    light = line.standing.light if line.standing else None
    return (_SEVERITY.get(light, 3) if light else 3, -line.row.counts.overdue, line.row.key)


def measure_points(
    occurs: Sequence[Occurrence],
    *,
    as_of: dt.date,
    by: str,
    keys: Sequence[str],
    measures: Sequence[str],
) -> dict[tuple[str | None, str], Point]:
    """Each row's figures per measure on ``as_of`` (key None for the total): a trend each."""
    split: dict[str, list[Occurrence]] = {m: [] for m in measures}
    for occurrence in occurs:
        split.setdefault(occurrence.measure, []).append(occurrence)
    points: dict[tuple[str | None, str], Point] = {}
    for measure in measures:
        result = trend(split[measure], days=(as_of,), by=by, keys=keys)
        points[None, measure] = result.total.last
        for series in result.rows:  # a unit may be called "total": the total's key is None
            points[series.key, measure] = series.last
    return points


def _line(
    row: Row,
    key: str | None,
    standing: Standing | None,
    points: Mapping[tuple[str | None, str], Point],
    measures: Sequence[str],
    lights: Lights,
) -> Line:
    cells = []
    for measure in measures:
        point = points.get((key, measure)) or Point(dt.date.min, 0, 0, 0, 0, 0)
        cells.append(Cell(measure, row.measures.get(measure, Counts()), point, point.light(lights)))
    return Line(row, standing, tuple(cells))


def laggards(
    selected: Iterable[Item], units: Sequence[Line], campaign: Campaign, *, count: int = LAGGARDS
) -> tuple[Laggard, ...]:
    """The units with the most overdue tasks (then the lowest on-time share), with those tasks."""
    late = [u for u in units if u.row.counts.overdue]
    late.sort(key=lambda u: (-u.row.counts.overdue, _or(u.row.counts.on_time), u.row.key))
    chosen = {u.row.key: u for u in late[:count]}
    tasks: dict[str, list[Item]] = {key: [] for key in chosen}
    for item in selected:
        if item.state is State.OVERDUE and item.unit.id in tasks:
            tasks[item.unit.id].append(item)
    names = {c.code: c.name for c in campaign.counties}
    found = []
    for key, line in chosen.items():
        overdue = sorted(tasks[key], key=order(campaign))
        found.append(
            Laggard(
                line,
                names.get(line.row.county or "", ""),
                tuple(overdue[:LAGGARD_TASKS]),
                max(len(overdue) - LAGGARD_TASKS, 0),
            )
        )
    return tuple(found)


def _or(value: float | None) -> float:
    return 2.0 if value is None else value
