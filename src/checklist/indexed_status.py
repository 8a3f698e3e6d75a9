"""status from the index's occurrences: one pass, the summary counted, the listed items made.

One query reads the selected occurrences status needs (overdue, due soon, postponed; or
all with --all), in the order the units' path makes them; the summary is counted from
them and only the listed ones become Items. A listed item's task and unit are made from
their own rows, each checked against its checksum, so an Item here shows what the units'
path's shows (indexed.py says when the index is read at all); its unit holds no tasks.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Iterable

from checklist.filters import Filters
from checklist.indexed import Index, days_of, where_of
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

# A listed task's key in one integer, (file << 32) | seq: the keys go to SQLite as one
# JSON array (json_each), not as rows of a temporary table (20 ms for 17,000 of them).
_SEQ_BITS = 32
_SEQ_MASK = (1 << _SEQ_BITS) - 1

_PRESSING = frozenset({State.OVERDUE, State.DUE_SOON})

# The selected occurrences in the order the units' path makes them: files as found,
# tasks as written. {0}: the filters; {1}: which states (or postponed ones) are read.
_SCAN = f"""SELECT file, seq, n, due, done, state, county, postponed FROM (SELECT o.file,
    o.seq, o.n, o.due, o.done, {STATE_SQL} AS state, r.county, r.pos,
    o.postponed_from IS NOT NULL AS postponed FROM occurrences o
    JOIN temp.run r ON r.file = o.file WHERE {{0}}) WHERE {{1}} ORDER BY pos, seq, n"""


# What every overdue or due-soon occurrence is (and so the state need not be worked out
# for the others): due by the horizon, not done by the report day. It reads the row alone,
# so SQLite tests it before looking up the file's row in temp.run.
_UNDONE = "(o.due <= :horizon AND (o.done IS NULL OR o.done > :as_of))"


def _states_sql(states: Iterable[State]) -> str:
    return f"state IN ({', '.join(repr(s.value) for s in sorted(states))})"


class DamagedError(Exception):
    """A listed unit's rows fail their checksum: its rows are dropped, the units' path runs."""


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
    ones with ``listing_soon``, as status.listed picks them. The summary counts the
    overdue and due-soon items and the postponed ones in any state: one pass reads
    those (every selected one with ``everything``) and both are made from it.
    """
    where, params = where_of(filters, states=True)
    if everything:
        sql = _SCAN.format(where, "1")
    else:
        sql = _SCAN.format(
            f"({where}) AND ({_UNDONE} OR o.postponed_from IS NOT NULL)",
            f"{_states_sql(_PRESSING)} OR postponed",
        )
    wanted = None if everything else _PRESSING if listing_soon else {State.OVERDUE}
    overdue = due_soon = postponed = 0
    files: set[int] = set()
    counties: set[str] = set()
    rows = []
    for row in index.conn.execute(sql, params | days_of(as_of, soon)):
        state = _STATES[row[5]]
        if state is State.OVERDUE or state is State.DUE_SOON:
            if state is State.OVERDUE:
                overdue += 1
            else:
                due_soon += 1
            files.add(row[0])
            if row[6] is not None:  # as count(DISTINCT county) counts
                counties.add(row[6])
        postponed += row[7]
        if wanted is None or state in wanted:
            rows.append(row)
    summary = Summary(overdue, due_soon, len(files), len(counties), postponed)
    return summary, _items(index, rows, as_of=as_of, calendar=calendar)


def status_items(
    index: Index,
    *,
    as_of: dt.date,
    soon: int,
    filters: Filters,
    states: frozenset[State] | None,
    calendar: CalendarSettings,
    leave_out: Collection[dt.date] = (),
) -> list[Item]:
    """The selected items in the given states (None: all), as status.items makes them,
    days overdue counted as ``calendar`` says; none due on a day in ``leave_out``.

    Each item's task is made from its own row and its unit from the unit's row, each
    checked against its checksum; the unit holds no tasks (rows.unit_of says why).
    """
    where, params = where_of(filters, states=True)
    if states is not None and states <= _PRESSING:
        where = f"({where}) AND {_UNDONE}"
    chosen = "1" if states is None else _states_sql(states)
    if leave_out:  # ISO dates: digits and hyphens
        chosen = f"({chosen}) AND due NOT IN ({', '.join(repr(d.isoformat()) for d in leave_out)})"
    sql = _SCAN.format(where, chosen)
    rows = index.conn.execute(sql, params | days_of(as_of, soon)).fetchall()
    return _items(index, rows, as_of=as_of, calendar=calendar)


def _items(
    index: Index,
    rows: list[tuple[int, int, int, str, str | None, str, str, int]],
    *,
    as_of: dt.date,
    calendar: CalendarSettings,
) -> list[Item]:
    """The Items of scanned occurrence rows, in their order."""
    units, tasks = _listed(index, rows)
    late = overdue_counter(calendar, as_of)
    dates: dict[str, dt.date] = {}
    found = []
    for file_id, seq, n, due_text, done_text, state_text, _county, _postponed in rows:
        state = _STATES[state_text]
        due = dates.get(due_text)
        if due is None:
            due = dates[due_text] = dt.date.fromisoformat(due_text)
        done = None
        if done_text is not None and (state is State.DONE or state is State.DONE_LATE):
            done = dates.get(done_text)
            if done is None:
                done = dates[done_text] = dt.date.fromisoformat(done_text)
        overdue = late(due) if state is State.OVERDUE else None
        found.append(Item(units[file_id], tasks[file_id, seq], n, due, done, state, overdue))
    return found


_HEADS = ", ".join(f"u.{c.strip()}" for c in UNIT_COLUMNS.split(","))
_UNITS = (
    f"SELECT {_HEADS}, f.display, u.row_digest FROM json_each(?) j "
    "CROSS JOIN units u ON u.file = j.value CROSS JOIN files f ON f.id = j.value"
)
# Each key looked up by the tasks' primary key, in key order (the table's own).
_COLUMNS = ", ".join(f"t.{c.strip()}" for c in TASK_COLUMNS.split(","))
_TASKS = (
    f"SELECT {_COLUMNS}, t.row_digest FROM json_each(?) j CROSS JOIN tasks t "
    f"ON t.file = j.value >> {_SEQ_BITS} AND t.seq = j.value & {_SEQ_MASK}"
)


def _listed(
    index: Index, rows: list[tuple[int, int, int, str, str | None, str, str, int]]
) -> tuple[dict[int, Unit], dict[tuple[int, int], Task]]:
    """The listed tasks and their units from their rows, each checked against its checksum."""
    conn = index.conn
    wanted = sorted({(r[0] << _SEQ_BITS) | r[1] for r in rows})
    units: dict[int, Unit] = {}
    people = {}
    damaged = set()
    for *head, display, check in conn.execute(_UNITS, (json.dumps(sorted({r[0] for r in rows})),)):
        try:
            if digest(tuple(head)) != check:
                raise ValueError(head[0])
            units[head[0]] = unit = unit_of(tuple(head), (), file=display)
            people[head[0]] = person_of(unit.id)
        except (ValueError, TypeError, AttributeError):
            damaged.add(head[0])
    tasks: dict[tuple[int, int], Task] = {}
    # One string for each measure, title and owner's name however many tasks share it (a
    # city's tasks come from a few templates): a province's night holds 300,000 tasks.
    share: dict[str, str] = {}
    for *row, check in conn.execute(_TASKS, (json.dumps(wanted),)):
        file_id = row[0]
        try:
            if digest(tuple(row)) != check or file_id not in people:
                raise ValueError(file_id)
            for k in _SHARED:
                row[k] = share.setdefault(row[k], row[k])
            tasks[file_id, row[1]] = task_of(row, people[file_id])
        except (ValueError, TypeError, AttributeError):
            damaged.add(file_id)
    damaged |= {k >> _SEQ_BITS for k in wanted if (k >> _SEQ_BITS, k & _SEQ_MASK) not in tasks}
    if damaged:
        index.store.forget(sorted(damaged))
        raise DamagedError(sorted(damaged))
    return units, tasks


_SHARED = tuple(
    TASK_COLUMNS.replace(" ", "").split(",").index(c) for c in ("measure", "title", "owner_name")
)
_STATES = {s.value: s for s in State}  # State(text) is slow, 170,000 times
