"""status and rollup read from the index's occurrence table, when every file is in it.

A warm run (every unit file unchanged since the index was written, its result still
true today, no unit id used twice) needs neither its units nor their occurrences in
Python: the counts are SQL aggregates over the occurrence table, with the filters as
WHERE clauses, and only the rows a status report lists become Items. Anything else
(a file to check, a store that fails) is None, and the caller takes the units' path.

Integrity: each file's own row and problems are checked against their checksum, as
validation does (that decides which files count and which are skipped); the
occurrence rows are trusted to SQLite, in a private store whose fingerprint is this
code's (docs/performance.md says why).
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from checklist.dates import shift
from checklist.filters import Filters, filters_of
from checklist.load.cache import stamp
from checklist.load.rows import BUILT, OCCURRENCE_TEXT, STATE_SQL, result_of, text_digest
from checklist.load.store import Store
from checklist.model import Campaign, Level
from checklist.rollup import By, Counts, Rollup, Row, Sort, finish
from checklist.rules.registry import day_dependent_codes
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


@dataclass(frozen=True, slots=True)
class Index:
    """The files of a warm run in the store: their units are counted in SQL."""

    store: Store
    conn: sqlite3.Connection
    skipped: int  # files with errors: no unit
    built: int  # files with a unit

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *_: object) -> None:
        self.store.close()


def open_index(store: Store, files: Sequence[str], *, today: dt.date) -> Index | None:
    """The index for these files (absolute paths) if every one is in it and still true.

    Memory is bounded by the files' names and stamps: each file's rows are checked and
    dropped one at a time, what the reports need going straight into temporary tables.
    """
    conn = store.conn
    if conn is None:
        return None
    try:
        wanted = {key: (stamp(os.stat(key)), pos) for pos, key in enumerate(files)}  # noqa: PTH116
    except OSError:
        return None
    codes = day_dependent_codes()
    counted = [0, 0]  # files matched, and with their unit
    gone: list[int] = []  # stored files deleted or renamed away

    def accepted() -> Iterator[tuple[int, int, str | None, str | None, str | None, int]]:
        for pos, file_id, row, problems in store.matching(wanted, gone):
            result = result_of(row, problems)
            if result is None:
                raise _MissError
            if result.last_done is not None and result.last_done > today:
                raise _MissError  # as validate: done "in the future" may come or go
            if any(p.code in codes for p in result.problems):
                raise _MissError
            built = bool(row[BUILT])
            if not built and not result.has_errors:
                raise _MissError  # checked for validation alone
            counted[0] += 1
            counted[1] += built
            county, level = row[BUILT + 1 : BUILT + 3]
            yield file_id, pos, result.unit_id, county, level, built

    try:
        conn.execute("DROP TABLE IF EXISTS temp.seen")
        conn.execute("DROP TABLE IF EXISTS temp.run")
        # Every matched file with its unit id (the check across files), and the run: the
        # files with a unit, in the order found, with their unit, county and level from
        # the files' own rows, whose checksums were just checked.
        conn.execute(
            "CREATE TEMP TABLE seen (file INTEGER PRIMARY KEY, pos, unit, county, level, built)"
        )
        conn.executemany("INSERT INTO temp.seen VALUES (?, ?, ?, ?, ?, ?)", accepted())
        if counted[0] != len(wanted):
            return None
        # The only check across files (tests/test_reports_from_index.py holds it to that):
        # a unit id used twice is for the units' path to report.
        if conn.execute(_TWICE).fetchone() is not None:
            return None
        conn.execute(
            "CREATE TEMP TABLE run AS SELECT file, row_number() OVER (ORDER BY pos) - 1 AS pos, "
            "unit, county, level FROM temp.seen WHERE built ORDER BY file"
        )
        conn.execute("CREATE UNIQUE INDEX temp.run_file ON run (file)")
        conn.execute("DROP TABLE temp.seen")
        damaged = _damaged(conn)
    except (_MissError, sqlite3.Error):
        return None
    if gone or damaged:  # damaged: checked afresh by the units' path, and written again
        store.forget([*gone, *damaged])
    if damaged:
        return None
    return Index(store, conn, counted[0] - counted[1], counted[1])


class _MissError(Exception):
    """A file the index cannot answer for: the units' path runs."""


_TWICE = "SELECT unit FROM temp.seen WHERE unit IS NOT NULL GROUP BY unit HAVING count(*) > 1"


def _damaged(conn: sqlite3.Connection) -> list[int]:
    """The run's files whose occurrence rows fail their checksum.

    SQL writes each file's rows as one text (OCCURRENCE_TEXT), as when they were
    written; Python hashes 10,000 texts, not 170,000 rows, one at a time.
    """
    # The table is scanned in its own order (file, seq, n), so the rows are grouped as they
    # come, in the order they were written: nothing is sorted or held (a province's
    # occurrences sorted in memory took 130 MB a hundred thousand files).
    sql = f"""SELECT o.file, {OCCURRENCE_TEXT} FROM occurrences o
        WHERE o.file IN (SELECT file FROM temp.run) GROUP BY o.file"""
    found = conn.execute(sql)
    text = next(found, None)
    damaged = []
    for file_id, check in conn.execute(
        "SELECT f.id, f.occurrence_digest FROM temp.run r JOIN files f ON f.id = r.file "
        "ORDER BY f.id"
    ):
        while text is not None and text[0] < file_id:
            text = next(found, None)
        own = text[1] if text is not None and text[0] == file_id else None
        if text_digest(own) != check:
            damaged.append(file_id)
    return damaged


def make_filters(index: Index, campaign: Campaign, given: Mapping[str, Any]) -> Filters:
    """make_filters over the index's units, in the order the files were found."""
    conn = index.conn
    ids: list[str] = []
    if given.get("unit"):
        ids = [i for (i,) in conn.execute(_ORDERED.format("u.id", "units u", "u.file", "r.pos"))]
    people: Iterator[tuple[str, str | None]] = iter(())
    if given.get("owner"):
        sql = _ORDERED.format("t.owner_name, t.owner_address", "tasks t", "t.file", "r.pos, t.seq")
        people = iter(conn.execute(sql).fetchall())
    return filters_of(campaign, ids, people, **{k: v or () for k, v in given.items()})


_ORDERED = "SELECT {0} FROM {1} JOIN temp.run r ON r.file = {2} ORDER BY {3}"


def where_of(filters: Filters, *, states: bool = False) -> tuple[str, dict[str, Any]]:
    """The filters as a WHERE clause over occurrences ``o``, and its parameters."""
    clauses, params = ["1"], {}

    def among(column: str, name: str, values: Sequence[str]) -> str:
        names = []
        for k, value in enumerate(sorted(values)):
            params[f"{name}{k}"] = value
            names.append(f":{name}{k}")
        return f"{column} IN ({', '.join(names)})"

    if filters.counties:
        clauses.append(among("r.county", "county", list(filters.counties)))
    if filters.units:
        clauses.append(among("r.unit", "unit", list(filters.units)))
    if filters.levels:
        clauses.append(among("r.level", "level", [v.value for v in filters.levels]))
    if filters.measures:
        clauses.append(among("o.measure", "measure", list(filters.measures)))
    if filters.owners:
        names = among("o.owner", "owner", list(filters.owners))
        addresses = among("coalesce(t.owner_address, '')", "address", list(filters.owners))
        clauses.append(
            f"({names} OR EXISTS (SELECT 1 FROM tasks t WHERE t.file = o.file "
            f"AND t.seq = o.seq AND {addresses}))"
        )
    if states and filters.states:
        clauses.append(among(f"({STATE_SQL})", "state", [s.value for s in filters.states]))
    return " AND ".join(clauses), params


def days_of(as_of: dt.date, soon: int) -> dict[str, str]:
    return {"as_of": as_of.isoformat(), "horizon": shift(as_of, soon).isoformat()}


# --- rollup ---------------------------------------------------------------------------


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
    conn = index.conn
    where, params = where_of(filters)
    params |= days_of(as_of, soon) | {"compare": compare.isoformat()}
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
    tallies: dict[str, list[int]] = {}
    measures: dict[str, dict[str, list[int]]] = {}
    for g, measure, _place, *counts in conn.execute(sql, params):
        measures.setdefault(g, {})[measure] = counts
        tally = tallies.setdefault(g, [0] * len(counts))
        for k, value in enumerate(counts):
            tally[k] += value
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


def trend_of(
    index: Index, *, campaign: Campaign, as_of: dt.date, filters: Filters, by: By, every: Every
) -> Trend:
    """trend.campaign_trend, from the occurrence table (by county, level or measure).

    SQL counts the occurrences of each row by due day and done day (as known on the
    report day); trend.tally steps through those few thousand counts, not 170,000 rows.
    """
    where, params = where_of(filters)
    sql = f"""SELECT {_GROUP[by]}, o.due, CASE WHEN o.done <= :as_of THEN o.done END AS d,
        count(*) FROM occurrences o JOIN temp.run r ON r.file = o.file WHERE {where}
        GROUP BY 1, 2, 3 ORDER BY min({_PLACE})"""
    days: dict[str | None, dt.date | None] = {None: None}

    def day(text: str | None) -> dt.date | None:
        found = days.get(text, _NO_DAY)
        if found is _NO_DAY:
            found = days[text] = dt.date.fromisoformat(text)  # type: ignore[arg-type]
        return found

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
    sql = f"""SELECT {_GROUP[by]}, count(DISTINCT o.file) FROM occurrences o
        JOIN temp.run r ON r.file = o.file WHERE {where}"""
    found = dict(conn.execute(sql + " GROUP BY 1", params).fetchall())
    total = conn.execute(sql.replace(f"{_GROUP[by]}, ", "", 1), params).fetchone()[0]
    return found, total


def _unit_where(filters: Filters) -> tuple[str, dict[str, Any]]:
    """Filters.keep_unit over units ``u``."""
    clauses, params = ["1"], {}
    for column, name, values in (
        ("u.county", "ucounty", sorted(filters.counties)),
        ("u.id", "uunit", sorted(filters.units)),
        ("u.level", "ulevel", sorted(v.value for v in filters.levels)),
    ):
        if values:
            names = []
            for k, value in enumerate(values):
                params[f"{name}{k}"] = value
                names.append(f":{name}{k}")
            clauses.append(f"{column} IN ({', '.join(names)})")
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
