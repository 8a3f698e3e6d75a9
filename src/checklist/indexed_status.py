"""status and remind from the index's occurrences: only what they list is made.

status counts its summary in SQL and makes its entries (status.Entry: words and dates,
no Task or Unit) from one query that reads each listed occurrence with its task's and
unit's rows; remind's items (status_items) are made from their own rows. Those rows were
checked with the occurrences, by the run or before its seal (indexed._damaged), so what
is listed here is what the units' path lists (indexed.py says when the index answers).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Iterable
from typing import Any

from checklist.filters import Filters
from checklist.indexed import Index, days_of, where_of
from checklist.load.rows import (
    STATE_SQL,
    TASK_COLUMNS,
    UNIT_COLUMNS,
    task_of,
    unit_of,
)
from checklist.load.rows import people as person_of
from checklist.model import CalendarSettings, Campaign, Item, Level, State, Task, Unit
from checklist.status import Entry, Summary
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
    campaign: Campaign,
) -> tuple[Summary, list[Entry]]:
    """status's summary of the selected items, and the entries it lists, in its order.

    Every selected item with ``everything``; else the overdue ones, and the due-soon
    ones with ``listing_soon``, as status.listed picks them. The summary is counted in
    SQL; an entry is made from its occurrence's, task's and unit's rows, the task's and
    the unit's checked against their checksums, and no Task or Unit is made.
    """
    where, params = where_of(filters, states=True)
    params |= days_of(as_of, soon)
    (counted,) = index.conn.execute(_SUMMARY.format(where), params)
    summary = Summary(*(int(n or 0) for n in counted))
    if everything:
        chosen = "1"
    else:
        where = f"({where}) AND {_UNDONE}"
        chosen = _states_sql(_PRESSING if listing_soon else {State.OVERDUE})
    sql = _ENTRIES.format(where, chosen, _order(campaign, params))
    found = index.conn.execute(sql, params)
    return summary, _entries(index, found, as_of=as_of, calendar=campaign.calendar)


def _order(campaign: Campaign, params: dict[str, Any]) -> str:
    """status.order in SQL: most overdue first (the earliest due: days overdue only grow as
    the due day goes back), then soonest due, then campaign order; no key is made per
    entry in Python, and a province's list is sorted by SQLite's sorter."""
    places = []
    for column, name, keys in (  # each key at its place as status.order's dicts have it
        ("u.county", "place_county", {c.code: i for i, c in enumerate(campaign.counties)}),
        ("t.measure", "place_measure", {m.key: i for i, m in enumerate(campaign.measures)}),
    ):
        whens = []
        for k, (key, place) in enumerate(keys.items()):
            params[f"{name}{k}"] = key
            whens.append(f"WHEN :{name}{k} THEN {place}")
        places.append(f"CASE {column} {' '.join(whens)} ELSE 0 END" if whens else "0")
    ranks = " ".join(f"WHEN '{state.value}' THEN {k}" for k, state in enumerate(_RANKED))
    return f"CASE s.state {ranks} END, s.due, {places[0]}, u.id, {places[1]}, t.idx, s.n"


# status.order's ranks of the states.
_RANKED = (State.OVERDUE, State.DUE_SOON, State.OPEN, State.DONE_LATE, State.DONE)


# The summary's counts of the selected occurrences (status.summarize): only the overdue,
# due-soon and postponed ones count, so only those are read.
_SUMMARY = f"""SELECT count(CASE WHEN state = 'overdue' THEN 1 END),
    count(CASE WHEN state = 'due_soon' THEN 1 END),
    count(DISTINCT CASE WHEN state IN ('overdue', 'due_soon') THEN file END),
    count(DISTINCT CASE WHEN state IN ('overdue', 'due_soon') THEN county END),
    sum(postponed)
    FROM (SELECT o.file, r.county, {STATE_SQL} AS state, o.postponed_from IS NOT NULL AS postponed
    FROM occurrences o JOIN temp.run r ON r.file = o.file
    WHERE ({{0}}) AND ({_UNDONE} OR o.postponed_from IS NOT NULL))"""
# The listed occurrences with what their entries show of their task's and unit's rows,
# which the seal or the run's own check vouched for (indexed.py); LEFT JOIN: a row
# missing is damage, found as such, not an entry silently left out. {0}: the filters;
# {1}: which states are listed; {2}: status's order (_order).
_ENTRIES = f"""SELECT s.file, s.n, s.due, s.done, s.state,
    u.id, u.name, u.county, u.level, f.display, t.file, t.measure, t.idx, t.title,
    t.owner_name, t.owner_address, t.repeat, t.id, t.postponed_from, t.postpone_reason, t.line
    FROM (SELECT o.file, o.seq, o.n, o.due, o.done, {STATE_SQL} AS state
    FROM occurrences o JOIN temp.run r ON r.file = o.file WHERE {{0}}) s
    LEFT JOIN units u ON u.file = s.file LEFT JOIN files f ON f.id = s.file
    LEFT JOIN tasks t ON t.file = s.file AND t.seq = s.seq WHERE {{1}} ORDER BY {{2}}"""


def _entries(
    index: Index, rows: Iterable[tuple[Any, ...]], *, as_of: dt.date, calendar: CalendarSettings
) -> list[Entry]:
    """The entries of _ENTRIES's rows; DamagedError if a task's or unit's row is missing,
    its file's rows dropped first."""
    late = overdue_counter(calendar, as_of)
    dates: dict[str | None, dt.date | None] = {None: None}
    levels = {level.value: str(level) for level in Level}
    # One string for each measure, title and owner however many entries share it (a
    # city's tasks come from a few templates): a province lists 100,000 entries.
    share: dict[str, str] = {}
    damaged: set[int] = set()
    entries = []
    for (
        file_id, n, due_text, done_text, state_text, unit, name, county, level, display, task,
        measure, index_, title, owner, address, repeat, task_id, postponed, reason, line,
    ) in rows:  # fmt: skip
        if unit is None or display is None or task is None:
            damaged.add(file_id)
            continue
        state = _STATES[state_text]
        due = dates.get(due_text)
        if due is None:
            due = dates[due_text] = dt.date.fromisoformat(due_text)
        done = None
        if state is State.DONE or state is State.DONE_LATE:
            done = dates.get(done_text) or dates.setdefault(done_text, _day(done_text))
        entries.append(
            Entry(
                county,
                unit,
                name,
                levels[level],
                share.setdefault(measure, measure),
                index_,
                share.setdefault(title, title),
                task_id,
                n,
                repeat,
                share.setdefault(owner, owner),
                address,
                due,
                done,
                state,
                late(due) if state is State.OVERDUE else None,
                dates.get(postponed) or dates.setdefault(postponed, _day(postponed)),
                reason,
                display,
                line,
            )
        )
    if damaged:
        index.store.forget(sorted(damaged))
        raise DamagedError(sorted(damaged))
    return entries


def _day(text: str | None) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(text)


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
    f"SELECT {_HEADS}, f.display FROM json_each(?) j "
    "CROSS JOIN units u ON u.file = j.value CROSS JOIN files f ON f.id = j.value"
)
# Each key looked up by the tasks' primary key, in key order (the table's own).
_COLUMNS = ", ".join(f"t.{c.strip()}" for c in TASK_COLUMNS.split(","))
_TASKS = (
    f"SELECT {_COLUMNS} FROM json_each(?) j CROSS JOIN tasks t "
    f"ON t.file = j.value >> {_SEQ_BITS} AND t.seq = j.value & {_SEQ_MASK}"
)


def _listed(
    index: Index, rows: list[tuple[int, int, int, str, str | None, str, str, int]]
) -> tuple[dict[int, Unit], dict[tuple[int, int], Task]]:
    """The listed tasks and their units from their rows (vouched for as _ENTRIES's are); a
    row missing, or one that makes no task or unit, is damage."""
    conn = index.conn
    wanted = sorted({(r[0] << _SEQ_BITS) | r[1] for r in rows})
    units: dict[int, Unit] = {}
    people = {}
    damaged = set()
    for *head, display in conn.execute(_UNITS, (json.dumps(sorted({r[0] for r in rows})),)):
        try:
            units[head[0]] = unit = unit_of(tuple(head), (), file=display)
            people[head[0]] = person_of(unit.id)
        except (ValueError, TypeError, AttributeError):
            damaged.add(head[0])
    tasks: dict[tuple[int, int], Task] = {}
    # One string for each measure, title and owner's name however many tasks share it (a
    # city's tasks come from a few templates): a province's night holds 300,000 tasks.
    share: dict[str, str] = {}
    for found in conn.execute(_TASKS, (json.dumps(wanted),)):
        row = list(found)  # its shared strings put in
        file_id = row[0]
        try:
            if file_id not in people:
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
