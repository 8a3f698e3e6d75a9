"""status from the index's occurrence table: the summary counted, only the listed items made.

A listed item's task and unit are made from their own rows, each checked against its
checksum, so an Item here shows what the units' path's shows (indexed.py says when the
index is read at all); its unit holds no tasks.
"""

from __future__ import annotations

import datetime as dt

from checklist.filters import Filters
from checklist.indexed import Index, batch, days_of, where_of
from checklist.load.rows import (
    STATE_SQL,
    TASK_COLUMNS,
    UNIT_COLUMNS,
    digest,
    task_of,
    unit_of,
)
from checklist.load.rows import people as person_of
from checklist.model import CalendarSettings, Item, State, Task, Unit
from checklist.status import Summary
from checklist.workdays import overdue_counter


def status_summary(index: Index, *, as_of: dt.date, soon: int, filters: Filters) -> Summary:
    where, params = where_of(filters, states=True)
    sql = f"""SELECT sum(state = 'overdue'), sum(state = 'due_soon'),
        count(DISTINCT CASE WHEN state IN ('overdue', 'due_soon') THEN file END),
        count(DISTINCT CASE WHEN state IN ('overdue', 'due_soon') THEN county END),
        sum(postponed)
    FROM (SELECT o.file AS file, r.county AS county, {STATE_SQL} AS state,
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
    calendar: CalendarSettings,
) -> list[Item]:
    """The selected items in the given states (None: all), as status.items makes them,
    days overdue counted as ``calendar`` says.

    Each item's task is made from its own row and its unit from the unit's row, each
    checked against its checksum; the unit holds no tasks (rows.unit_of says why).
    """
    conn = index.conn
    where, params = where_of(filters, states=True)
    chosen = ""
    if states is not None:
        names = ", ".join(f"'{s.value}'" for s in sorted(states))
        chosen = f"WHERE state IN ({names})"
    # In the order the units' path makes them: files as found, tasks as written.
    sql = f"""SELECT file, seq, n, due, done, state FROM (SELECT o.file, o.seq, o.n, o.due,
        o.done, {STATE_SQL} AS state, r.pos FROM occurrences o JOIN temp.run r ON r.file = o.file
        WHERE {where}) {chosen} ORDER BY pos, seq, n"""
    rows = conn.execute(sql, params | days_of(as_of, soon)).fetchall()
    units, tasks = _listed(index, sorted({(r[0], r[1]) for r in rows}))
    found = []
    late = overdue_counter(calendar, as_of)
    for file_id, seq, n, due_text, done_text, state_text in rows:
        state = _STATES[state_text]
        due = dt.date.fromisoformat(due_text)
        done = dt.date.fromisoformat(done_text) if state in _DONE else None
        overdue = late(due) if state is State.OVERDUE else None
        found.append(Item(units[file_id], tasks[file_id, seq], n, due, done, state, overdue))
    return found


def _listed(
    index: Index, wanted: list[tuple[int, int]]
) -> tuple[dict[int, Unit], dict[tuple[int, int], Task]]:
    """The listed tasks and their units from their rows, each checked against its checksum."""
    conn = index.conn
    conn.execute("DROP TABLE IF EXISTS temp.listed")
    conn.execute("CREATE TEMP TABLE listed (file, seq, PRIMARY KEY (file, seq)) WITHOUT ROWID")
    with batch(conn):
        conn.executemany("INSERT INTO temp.listed VALUES (?, ?)", wanted)
    heads = ", ".join(f"u.{c.strip()}" for c in UNIT_COLUMNS.split(","))
    columns = ", ".join(f"t.{c.strip()}" for c in TASK_COLUMNS.split(","))
    units: dict[int, Unit] = {}
    people = {}
    damaged = set()
    for *head, display, check in conn.execute(
        # CROSS JOIN: the few listed rows lead, each looked up by its key.
        f"""SELECT {heads}, f.display, u.row_digest FROM (SELECT DISTINCT file FROM temp.listed) l
        CROSS JOIN files f ON f.id = l.file CROSS JOIN units u ON u.file = l.file"""
    ):
        try:
            if digest(tuple(head)) != check:
                raise ValueError(head[0])
            units[head[0]] = unit = unit_of(tuple(head), (), file=display)
            people[head[0]] = person_of(unit.id)
        except (ValueError, TypeError, AttributeError):
            damaged.add(head[0])
    tasks: dict[tuple[int, int], Task] = {}
    for *row, check in conn.execute(
        f"""SELECT {columns}, t.row_digest FROM temp.listed l
        CROSS JOIN tasks t ON t.file = l.file AND t.seq = l.seq"""
    ):
        file_id = row[0]
        try:
            if digest(tuple(row)) != check or file_id not in people:
                raise ValueError(file_id)
            tasks[file_id, row[1]] = task_of(row, people[file_id])
        except (ValueError, TypeError, AttributeError):
            damaged.add(file_id)
    damaged |= {f for f, seq in wanted if (f, seq) not in tasks}
    if damaged:
        index.store.forget(sorted(damaged))
        raise DamagedError(sorted(damaged))
    return units, tasks


_DONE = (State.DONE, State.DONE_LATE)
_STATES = {s.value: s for s in State}  # State(text) is slow, 170,000 times


def status(
    index: Index,
    *,
    as_of: dt.date,
    soon: int,
    filters: Filters,
    everything: bool,
    listing_soon: bool,
    calendar: CalendarSettings,
) -> tuple[Summary, list[Item]]:
    """status's summary of the selected items, and those it lists (unsorted).

    Every selected item with ``everything``; else the overdue ones, and the due-soon
    ones with ``listing_soon``, as status.listed picks them.
    """
    summary = status_summary(index, as_of=as_of, soon=soon, filters=filters)
    wanted = None if everything else frozenset({State.OVERDUE})
    if wanted is not None and listing_soon:
        wanted |= {State.DUE_SOON}
    items = status_items(
        index, as_of=as_of, soon=soon, filters=filters, states=wanted, calendar=calendar
    )
    return summary, items
