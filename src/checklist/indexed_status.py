"""status from the index's occurrence table: the summary counted, only the listed items made.

The listed items' units are made whole from their rows, each checked against its
checksum, so an Item here is the one the units' path makes (indexed.py says when the
index is read at all).
"""

from __future__ import annotations

import datetime as dt
from itertools import groupby
from operator import itemgetter

from checklist.filters import Filters
from checklist.indexed import Index, days_of, where_of
from checklist.load.rows import STATE_SQL, TASK_COLUMNS, UNIT_COLUMNS, digest, unit_of
from checklist.model import Item, State, Unit
from checklist.status import Summary


def status_summary(index: Index, *, as_of: dt.date, soon: int, filters: Filters) -> Summary:
    where, params = where_of(filters, states=True)
    sql = f"""SELECT sum(state = 'overdue'), sum(state = 'due_soon'),
        count(DISTINCT CASE WHEN state IN ('overdue', 'due_soon') THEN file END),
        count(DISTINCT CASE WHEN state IN ('overdue', 'due_soon') THEN county END),
        sum(postponed)
    FROM (SELECT o.file AS file, o.county AS county, {STATE_SQL} AS state,
            o.postponed_from IS NOT NULL AS postponed
        FROM occurrences o JOIN temp.run r ON r.file = o.file WHERE {where})"""
    row = index.conn.execute(sql, params | days_of(as_of, soon)).fetchone()
    return Summary(*(value or 0 for value in row))


class DamagedError(Exception):
    """A listed unit's rows fail their checksum: its rows are dropped, the units' path runs."""


def status_items(
    index: Index,
    *,
    as_of: dt.date,
    soon: int,
    filters: Filters,
    states: frozenset[State] | None,
) -> list[Item]:
    """The selected items in the given states (None: all), as status.items makes them.

    Their units are made from their checked rows, whole, as the units' path makes them.
    """
    conn = index.conn
    where, params = where_of(filters, states=True)
    chosen = ""
    if states is not None:
        names = ", ".join(f"'{s.value}'" for s in sorted(states))
        chosen = f"WHERE state IN ({names})"
    sql = f"""SELECT * FROM (SELECT o.file, o.seq, o.n, o.due, o.done, {STATE_SQL} AS state
        FROM occurrences o JOIN temp.run r ON r.file = o.file WHERE {where}) {chosen}"""
    rows = conn.execute(sql, params | days_of(as_of, soon)).fetchall()
    units = _listed_units(index, sorted({r[0] for r in rows}))
    found = []
    for file_id, seq, n, due_text, done_text, state_text in rows:
        unit = units[file_id]
        state = State(state_text)
        due = dt.date.fromisoformat(due_text)
        done = dt.date.fromisoformat(done_text) if state in _DONE else None
        overdue = (as_of - due).days if state is State.OVERDUE else None
        found.append(Item(unit, unit.tasks[seq], n, due, done, state, overdue))
    return found


def _listed_units(index: Index, file_ids: list[int]) -> dict[int, Unit]:
    """The units of these files from their rows, each checked against its checksum."""
    conn = index.conn
    conn.execute("DROP TABLE IF EXISTS temp.listed")
    conn.execute("CREATE TEMP TABLE listed (file INTEGER PRIMARY KEY)")
    conn.executemany("INSERT INTO temp.listed VALUES (?)", [(f,) for f in file_ids])
    heads = ", ".join(f"u.{c.strip()}" for c in UNIT_COLUMNS.split(","))
    columns = ", ".join(f"t.{c.strip()}" for c in TASK_COLUMNS.split(","))
    checks = {
        file_id: (display, check)
        for file_id, display, check in conn.execute(
            "SELECT f.id, f.display, f.unit_digest FROM temp.listed l JOIN files f ON f.id = l.file"
        )
    }
    tasks = {
        file_id: list(own)
        for file_id, own in groupby(
            conn.execute(
                f"SELECT {columns} FROM temp.listed l JOIN tasks t ON t.file = l.file "
                "ORDER BY t.file, t.seq"
            ),
            itemgetter(0),
        )
    }
    units: dict[int, Unit] = {}
    damaged = []
    for head in conn.execute(
        f"SELECT {heads} FROM temp.listed l JOIN units u ON u.file = l.file ORDER BY u.file"
    ):
        file_id = head[0]
        parts = (head, tasks.get(file_id, []))
        display, check = checks.get(file_id, ("", None))
        try:
            if digest(parts) != check:
                raise ValueError(file_id)
            units[file_id] = unit_of(*parts, file=display)
        except (ValueError, TypeError, AttributeError):
            damaged.append(file_id)
    damaged += [f for f in file_ids if f not in units and f not in damaged]
    if damaged:
        index.store.forget(damaged)
        raise DamagedError(damaged)
    return units


_DONE = (State.DONE, State.DONE_LATE)


def status(
    index: Index,
    *,
    as_of: dt.date,
    soon: int,
    filters: Filters,
    everything: bool,
    listing_soon: bool,
) -> tuple[Summary, list[Item]]:
    """status's summary of the selected items, and those it lists (unsorted).

    Every selected item with ``everything``; else the overdue ones, and the due-soon
    ones with ``listing_soon``, as status.listed picks them.
    """
    summary = status_summary(index, as_of=as_of, soon=soon, filters=filters)
    wanted = None if everything else frozenset({State.OVERDUE})
    if wanted is not None and listing_soon:
        wanted |= {State.DUE_SOON}
    return summary, status_items(index, as_of=as_of, soon=soon, filters=filters, states=wanted)
