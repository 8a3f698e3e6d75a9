"""rollup and trend of a whole campaign from the tally: its occurrences counted ahead.

The tally (load/tally.py) counts the occurrences by county, measure, level, due day,
done day and whether postponed, and the spread the units with a task of each measure;
both are kept with each file's rows. A campaign's rollup then reads 45,000 counts where
it read 169,000 occurrences. They answer only a run over every file the index holds,
filtered by county, level or measure at most, and only once a run has found their
checksums true (then sealed with the store's stamps, load/seal.py): a tally found
damaged is counted from the occurrences, and made again from them.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from typing import Any

from checklist.filters import Filters
from checklist.indexed import Index, among
from checklist.load import seal, tally

# The tally and the spread as the occurrences make them now, in the tables' key order.
_COUNTED = """SELECT f.county, o.measure, f.level, o.due, coalesce(o.done, ''),
    o.postponed_from IS NOT NULL, count(*) FROM occurrences o JOIN files f ON f.id = o.file
    GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6"""
_SPREAD = """SELECT f.county, o.measure, f.level, count(DISTINCT o.file) FROM occurrences o
    JOIN files f ON f.id = o.file GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"""


def answers(index: Index, filters: Filters) -> bool:
    """Whether the tally answers this run: every file, no filter it does not count by,
    and a tally found true (checked now if no seal vouches for it yet)."""
    if filters.units or filters.owners or filters.groups or not index.whole:
        return False
    if "tally" in index.vouched:
        return True
    if "tally" not in index.found:  # checked once a run, however many counts ask
        index.found["tally"] = _checked(index)
    return index.found["tally"]


def _checked(index: Index) -> bool:
    """Check the tally and the spread against their checksums (load/tally.py); sealed when
    they hold, made again from the occurrences (whose own checksums this run or the seal
    vouched for) when they do not."""
    conn = index.conn
    try:
        agree = tally.sums_of(conn) == tally.kept_sums(conn)
    except sqlite3.Error:
        return False
    if not agree:
        index.after.append(lambda: _count_again(conn))
        return False
    if index.stamps is not None:
        seal.put(index.store.path, index.stamps, frozenset({"rows", "tally"}))
    return True


def _count_again(conn: sqlite3.Connection) -> None:
    """The tally and the spread made afresh from the occurrences; best effort, as a
    store's every write: a failure leaves them for the next run to find wrong again."""
    try:
        conn.execute("BEGIN IMMEDIATE")
        for table in ("tally", "spread", "sums"):
            conn.execute(f"DELETE FROM {table}")
        conn.execute(f"INSERT INTO tally {_COUNTED}")
        conn.execute(f"INSERT INTO spread {_SPREAD}")
        conn.executemany("INSERT INTO sums VALUES (?, ?)", tally.sums_of(conn).items())
        conn.execute("COMMIT")
    except sqlite3.Error:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")


def _where(filters: Filters, *, of: str = "", measures: bool = True) -> tuple[str, dict[str, Any]]:
    """The filters over the tally's (or the spread's) columns, or over the run ``of="r."``
    (county and level only)."""
    clauses: list[str] = ["1"]
    params: dict[str, Any] = {}
    chosen = [("county", filters.counties), ("level", [v.value for v in filters.levels])]
    if measures:
        chosen.append(("measure", filters.measures))
    for column, values in chosen:
        if values:
            clauses.append(among(f"{of}{column}", f"t{column}", values, params))
    return " AND ".join(clauses), params


def _states(day: str, horizon: str | None = None) -> str:
    """Occurrences done, done late, overdue (and due soon, given its horizon) on ``day``,
    counted as STATE_SQL classes them: no done date is '' here, which sorts before every
    day. (Plain comparisons: the CASE of STATE_SQL made this query three times slower.)"""
    done = f"done <> '' AND done <= {day}"
    waiting = f"(done = '' OR done > {day})"
    counts = [
        f"sum(iif({done}, n, 0))",
        f"sum(iif({done} AND done > due, n, 0))",
        f"sum(iif(due < {day} AND {waiting}, n, 0))",
    ]
    if horizon is not None:
        counts.append(f"sum(iif(due >= {day} AND due <= {horizon} AND {waiting}, n, 0))")
    return ", ".join(counts)


_ROLLUP = f"""SELECT {{0}}, measure, sum(n), {_states(":as_of", ":horizon")},
    sum(iif(postponed, n, 0)), sum(iif(due <= :as_of, n, 0)), sum(iif(due <= :compare, n, 0)),
    {_states(":compare")} FROM tally WHERE n != 0 AND {{1}} GROUP BY 1, 2"""


def rollup_counts(
    index: Index, group: str, filters: Filters, days: dict[str, str]
) -> Iterator[tuple[Any, ...]]:
    """Per row and measure, the eleven counts indexed_rollup counts from the occurrences:
    tasks, done, late, overdue, due soon, postponed, due by the day, due by the compare
    day, and done, late and overdue on it. In no particular order."""
    where, params = _where(filters)
    return index.conn.execute(_ROLLUP.format(group, where), params | days)


def trend_counts(
    index: Index, group: str, filters: Filters, as_of: str
) -> Iterator[tuple[Any, ...]]:
    """indexed_rollup.trend_of's counts: per row, due day and done day (None when not done
    by the day), in that order."""
    where, params = _where(filters)
    sql = f"""SELECT {group}, due, iif(done <> '' AND done <= :as_of, done, NULL), sum(n)
        FROM tally WHERE n != 0 AND {where} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"""
    return index.conn.execute(sql, params | {"as_of": as_of})


def units_by_measure(index: Index, filters: Filters) -> tuple[dict[str, int], int] | None:
    """Units with a selected task, per measure and in all; None when the spread cannot
    say (a unit with tasks of two chosen measures would count twice)."""
    where, params = _where(filters)
    sql = f"SELECT measure, sum(units) FROM spread WHERE units != 0 AND {where} GROUP BY 1"
    found = {m: n for m, n in index.conn.execute(sql, params) if n}
    if len(filters.measures) == 1:
        return found, sum(found.values())
    if filters.measures:
        return None
    return found, _with_tasks(index, filters, "")[""]


def units_by_level(index: Index, filters: Filters) -> tuple[dict[str, int], int] | None:
    """Units with a selected task, per level and in all; None under a measure filter."""
    if filters.measures:
        return None
    found = _with_tasks(index, filters, "r.level")
    return {k: n for k, n in found.items() if n}, sum(found.values())


def _with_tasks(index: Index, filters: Filters, group: str) -> dict[str, int]:
    """The run's units with at least one occurrence (those whose rows have a checksum),
    counted per ``group`` (a column of the run) or in all ("")."""
    where, params = _where(filters, of="r.", measures=False)
    key = group or "''"
    sql = f"""SELECT {key}, count(*) FROM temp.run r JOIN files f ON f.id = r.file
        WHERE f.occurrence_digest IS NOT NULL AND {where} GROUP BY 1"""
    return dict(index.conn.execute(sql, params)) or {"": 0}


def measure_order(
    index: Index, column: str, filters: Filters, wanted: dict[str, set[str]]
) -> dict[str, list[str]]:
    """For each row (a county or a level), its measures in the order the run first meets
    them (file by file, task by task), as the occurrences' min(place) orders them.

    Walks the run's files in order and reads the measures of those whose row still
    misses some: in a city, the first file of each county has them all.
    """
    unit_where, params = _where(filters, of="r.", measures=False)
    measure_where = "1"
    if filters.measures:
        measure_where, measure_params = _where(Filters(measures=filters.measures))
        params |= measure_params
    conn = index.conn
    missing = {g: set(found) for g, found in wanted.items() if found}
    order: dict[str, list[str]] = {g: [] for g in missing}
    files = conn.execute(
        f"SELECT r.file, r.{column} FROM temp.run r WHERE {unit_where} ORDER BY r.pos", params
    )
    sql = f"SELECT measure FROM occurrences WHERE file = :file AND {measure_where} ORDER BY seq"
    for file_id, g in files:
        if not missing:
            break
        left = missing.get(g)
        if not left:
            continue
        for (measure,) in conn.execute(sql, params | {"file": file_id}):
            if measure in left:
                left.discard(measure)
                order[g].append(measure)
        if not left:
            del missing[g]
    return order
