"""rollup and trend (by county, level or measure) counted in SQL over the occurrence table.

The rows, total, worst rows and standings are made from the counts by the functions the
units' path uses (rollup.finish, trend.ranks, trend.tally), so both paths print alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from checklist import indexed_tally
from checklist.filters import Filters
from checklist.indexed import Index, among, days_of, where_of
from checklist.load.rows import STATE_SQL
from checklist.model import Campaign, Level
from checklist.rollup import By, Counts, Rollup, Row, Sort, finish
from checklist.trend import (
    Every,
    Point,
    Series,
    Standing,
    Standings,
    Trend,
    named,
    ranks,
    sample_days,
    tally,
)

# A state on the compare day: STATE_SQL with that day's parameters.
_THEN_SQL = STATE_SQL.replace(":as_of", ":compare").replace(":horizon", ":compare")
# An occurrence's place in the order status.items meets them: file, then task.
_PLACE = "r.pos * 1048576 + o.seq"
_GROUP = {By.COUNTY: "r.county", By.LEVEL: "r.level", By.MEASURE: "o.measure"}
_TALLY_GROUP = {By.COUNTY: "county", By.LEVEL: "level", By.MEASURE: "measure"}


def can_roll_up(by: By) -> bool:
    return by in _GROUP


def rollup_standings(
    index: Index,
    *,
    campaign: Campaign,
    as_of: dt.date,
    compare: dt.date,
    soon: int,
    filters: Filters,
    by: By = By.COUNTY,
    sort: Sort | None = None,
) -> tuple[Rollup, Standings]:
    """trend.rollup_standings, from the occurrence table (by county, level or measure)."""
    if compare > as_of:
        raise ValueError(f"the compare day {compare} comes after the report day {as_of}")
    where, params = where_of(filters)
    days = days_of(as_of, soon) | {"compare": compare.isoformat()}
    if indexed_tally.answers(index, filters):
        tallies, measures = _tallied(index, by, filters, days)
    else:
        tallies, measures = _counted(index, by, where, params | days)
    units, total_units = _units(index, filters, by, where, params)
    view = _view(index, filters, campaign, where, params)
    rows = []
    for key, name, county, expected in _frame(view, by):
        tally = tallies.get(key, [0] * 11)
        rows.append(
            Row(
                key,
                name,
                units.get(key, 0),
                Counts(*tally[:6]),
                expected,
                county,
                {m: Counts(*t[:6]) for m, t in measures.get(key, {}).items()},
            )
        )
    result = finish(by, rows, total_units, sort=sort)
    return result, _standings(result, tallies, campaign, as_of, compare)


Tallies = dict[str, list[int]]


def _counted(
    index: Index, by: By, where: str, params: dict[str, Any]
) -> tuple[Tallies, dict[str, Tallies]]:
    """Per row, and per row and measure (in the order the run meets them), the eleven
    counts of rollup_counts, from the occurrences."""
    sql = f"""SELECT g, measure, min(place), count(*),
        sum(state IN ('done', 'done_late')), sum(state = 'done_late'), sum(state = 'overdue'),
        sum(state = 'due_soon'), sum(postponed), sum(due <= :as_of),
        sum(due <= :compare), sum(past IN ('done', 'done_late')), sum(past = 'done_late'),
        sum(past = 'overdue')
    FROM (SELECT {_GROUP[by]} AS g, o.measure AS measure, {_PLACE} AS place,
            {STATE_SQL} AS state, {_THEN_SQL} AS past,
            o.postponed_from IS NOT NULL AS postponed, o.due AS due
        FROM occurrences o JOIN temp.run r ON r.file = o.file WHERE {where})
    GROUP BY g, measure ORDER BY min(place)"""
    return _summed((g, m, counts) for g, m, _place, *counts in index.conn.execute(sql, params))


def _tallied(
    index: Index, by: By, filters: Filters, days: dict[str, str]
) -> tuple[Tallies, dict[str, Tallies]]:
    """_counted's counts from the tally; the measures' order from a walk of the run."""
    found = {
        (g, m): counts
        for g, m, *counts in indexed_tally.rollup_counts(index, _TALLY_GROUP[by], filters, days)
    }
    if by is By.MEASURE:
        order = {g: [g] for g, _ in found}
    else:
        wanted: dict[str, set[str]] = {}
        for g, m in found:
            wanted.setdefault(g, set()).add(m)
        order = indexed_tally.measure_order(index, _TALLY_GROUP[by], filters, wanted)
    return _summed((g, m, found[g, m]) for g, ms in order.items() for m in ms)


def _summed(
    counted: Iterable[tuple[str, str, list[int]]],
) -> tuple[Tallies, dict[str, Tallies]]:
    tallies: Tallies = {}
    measures: dict[str, Tallies] = {}
    for g, measure, counts in counted:
        measures.setdefault(g, {})[measure] = counts
        tally = tallies.setdefault(g, [0] * len(counts))
        for k, value in enumerate(counts):
            tally[k] += value
    return tallies, measures


def trend_of(
    index: Index, *, campaign: Campaign, as_of: dt.date, filters: Filters, by: By, every: Every
) -> Trend:
    """trend.campaign_trend, from the occurrence table (by county, level or measure).

    SQL counts the occurrences of each row by due day and done day (as known on the
    report day); trend.tally steps through those few thousand counts, not 170,000 rows.
    tally only adds them up, into the rows of the frame (every key the filters let
    through): they come in the GROUP BY's own order, which costs nothing.
    """
    where, params = where_of(filters)
    sql = f"""SELECT {_GROUP[by]}, o.due, CASE WHEN o.done <= :as_of THEN o.done END AS d,
        count(*) FROM occurrences o JOIN temp.run r ON r.file = o.file WHERE {where}
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"""
    days: dict[str | None, dt.date | None] = {None: None}

    def day(text: str | None) -> dt.date | None:
        found = days.get(text, _NO_DAY)
        if found is _NO_DAY:
            found = days[text] = dt.date.fromisoformat(text)  # type: ignore[arg-type]
        return found

    if indexed_tally.answers(index, filters):
        rows = indexed_tally.trend_counts(index, _TALLY_GROUP[by], filters, as_of.isoformat())
    else:
        rows = index.conn.execute(sql, params | {"as_of": as_of.isoformat()})
    counted = ((g, day(due), day(done), n) for g, due, done, n in rows)
    frame = _frame(_view(index, filters, campaign, where, params), by)
    result = tally(
        counted,  # type: ignore[arg-type]
        days=sample_days(campaign.start, as_of, every),
        by=by.value,
        keys=[key for key, *_ in frame],
    )
    return named(result, {key: (name, county) for key, name, county, _ in frame})


_NO_DAY = dt.date.min


def _frame(view: Campaign, by: By) -> list[tuple[str, str, str | None, int | None]]:
    """The rows shown even when empty, as rollup's: key, name, county, expected units."""
    if by is By.COUNTY:
        return [(c.code, c.name, c.code, c.expected_units) for c in view.counties]
    if by is By.MEASURE:
        return [(m.key, m.name, None, None) for m in view.measures]
    return [(level.value, level.value, None, None) for level in Level]


def _units(
    index: Index, filters: Filters, by: By, where: str, params: dict[str, Any]
) -> tuple[dict[str, int], int]:
    """Units per row and in all, as rollup counts them."""
    conn = index.conn
    if by is By.COUNTY:
        # Every kept unit counts in its county, even with no selected task.
        sql = _kept_units(filters, where, "u.county, count(*)") + " GROUP BY u.county"
        found = dict(conn.execute(sql, params | _unit_where(filters)[1]).fetchall())
        return found, sum(found.values())
    if indexed_tally.answers(index, filters):
        spread = (
            indexed_tally.units_by_measure if by is By.MEASURE else indexed_tally.units_by_level
        )(index, filters)
        if spread is not None:
            return spread
    sql = f"""SELECT {_GROUP[by]}, count(DISTINCT o.file) FROM occurrences o
        JOIN temp.run r ON r.file = o.file WHERE {where}"""
    found = dict(conn.execute(sql + " GROUP BY 1", params).fetchall())
    total = conn.execute(sql.replace(f"{_GROUP[by]}, ", "", 1), params).fetchone()[0]
    return found, total


def _unit_where(filters: Filters) -> tuple[str, dict[str, Any]]:
    """Filters.keep_unit over units ``u``."""
    clauses: list[str] = ["1"]
    params: dict[str, Any] = {}
    for column, name, values in (
        ("u.county", "ucounty", filters.counties),
        ("u.id", "uunit", filters.units),
        ("u.level", "ulevel", [v.value for v in filters.levels]),
    ):
        if values:
            clauses.append(among(column, name, values, params))
    return " AND ".join(clauses), params


def _view(
    index: Index, filters: Filters, campaign: Campaign, where: str, params: dict[str, Any]
) -> Campaign:
    """Filters.view: chosen units bring their counties (those kept, as rollup.select keeps)."""
    narrowed = filters.view(campaign, ())
    if not filters.units:
        return narrowed
    sql = _kept_units(filters, where, "DISTINCT u.county")
    unit_params = _unit_where(filters)[1]
    counties = set(filters.counties)
    counties |= {c for (c,) in index.conn.execute(sql, params | unit_params)}
    return replace(
        narrowed,
        counties=tuple(c for c in campaign.counties if not counties or c.code in counties),
    )


def _kept_units(filters: Filters, where: str, what: str) -> str:
    """The units rollup.select keeps: by county, id and level, and under an owner or
    measure filter only those with a selected task."""
    unit_where = _unit_where(filters)[0]
    sql = f"SELECT {what} FROM units u JOIN temp.run r ON r.file = u.file WHERE {unit_where}"
    if filters.owners or filters.measures:
        sql += f" AND EXISTS (SELECT 1 FROM occurrences o WHERE o.file = u.file AND {where})"
    return sql


def _standings(
    result: Rollup,
    tallies: Mapping[str, list[int]],
    campaign: Campaign,
    as_of: dt.date,
    compare: dt.date,
) -> Standings:
    """trend.standings over the counted rows: their points on the compare and report days."""
    days = (compare, as_of) if compare < as_of else (as_of,)
    empty = [0] * 11

    def series(key: str, t: list[int]) -> Series:
        tasks, done, late, overdue = t[0], t[1], t[2], t[3]
        then = (t[7], t[8], t[9], t[10])  # due, done, done late, overdue on the compare day
        now = (t[6], done, late, overdue)
        due, done_, late_, overdue_ = (
            (a, b) if len(days) == 2 else (b,) for a, b in zip(then, now, strict=True)
        )
        return Series(key, days, tasks, due, done_, late_, overdue_)

    rows = [series(r.key, list(tallies.get(r.key, empty))) for r in result.rows]
    counted = [tallies.get(r.key, empty) for r in result.rows]
    total = [sum(column) for column in zip(*counted, strict=True)]
    lights = campaign.lights
    now, then = ranks(rows), ranks(rows, 0)
    found = {
        s.key: Standing(s.last, s.last.light(lights), now.get(s.key), then.get(s.key)) for s in rows
    }
    last: Point = series("total", total or empty).last
    return Standings(compare, lights, found, Standing(last, last.light(lights), None, None))
