"""remind from the index's rows, owner by owner: a night in memory bounded by its messages.

The units' path makes every overdue and due-soon task of the night an Item (with its
Task and Unit, about 1.5 KB each) before the first message: a province's night held
half a gigabyte. Here one pass reads the selected occurrences and their tasks' and
units' rows (which the seal, or the run's own check, vouched for: indexed.py) and keeps
a compact row for each (the task's key,
the occurrence, its due day, state and days overdue), grouped as plan.planned groups Items:
by the owner's key (Person.key, worked out in Python: SQLite's lower() knows ASCII
only), by unit for escalations, by liaison group for digests. The Items of a message
are made only when the message is, a batch of owners (or units) at a time, from their
task and unit rows; every row was found in the first pass and the snapshot holds (the
caller keeps the index open until the last message), so nothing found missing can stop
a night half printed or half sent. The messages are plan's, byte for byte.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from checklist.filters import Filters
from checklist.groups import covering
from checklist.i18n import Lang
from checklist.indexed import STATES, UNDONE, Index, days_of, where_of
from checklist.indexed_status import dropped
from checklist.load.rows import STATE_SQL, UNIT_COLUMNS, Row
from checklist.model import Campaign, Level, Person, State
from checklist.remind.digest import group_digest
from checklist.remind.plan import (
    Message,
    escalation_message,
    overdue_tonight,
    owner_message,
    said_on,
    told_tonight,
)
from checklist.status import Entry
from checklist.workdays import overdue_counter

# What a night keeps of the rows it read, rather than read them again for each batch:
# the units' rows (some 450 bytes each) in a night of up to KEEP_UNITS units; and in a
# city's night (up to MAKE_ONCE units) every Unit and Task made once and kept, not made
# again for each batch. A task's row is read for the batch that makes its Items: the
# night's first pass reads only its owner.
KEEP_UNITS = 100_000
MAKE_ONCE = 20_000
BATCH = 2_000  # occurrences whose Items are made at once

# A compact row: the task's key (file << 32 | seq), the occurrence, its due day, its
# state and its days overdue (None unless overdue).
Compact = tuple[int, int, dt.date, State, int | None]

# The selected occurrences, their unit's id and their task's owner, in the order the
# units' path makes them (files as found, tasks as written); a task's row missing is
# damage (LEFT JOIN: its owner None). {0}: the filters; {1}: which are read.
_NIGHT = f"""SELECT s.file, s.seq, s.n, s.due, s.state, s.unit, t.owner_name, t.owner_address
    FROM (SELECT o.file, o.seq, o.n, o.due, o.done, {STATE_SQL} AS state, r.unit, r.pos
    FROM occurrences o JOIN temp.run r ON r.file = o.file WHERE {{0}}) s
    LEFT JOIN tasks t ON t.file = s.file AND t.seq = s.seq WHERE {{1}}
    ORDER BY s.pos, s.seq, s.n"""
_LEVELS = frozenset(level.value for level in Level)

# A task's key in one integer, (file << 32) | seq: the keys go to SQLite as one
# JSON array (json_each), not as rows of a temporary table (20 ms for 17,000 of them).
_SEQ_BITS = 32
_SEQ_MASK = (1 << _SEQ_BITS) - 1

_HEADS = ", ".join(f"u.{c.strip()}" for c in UNIT_COLUMNS.split(","))
_UNITS = (
    f"SELECT {_HEADS}, f.display FROM json_each(?) j "
    "CROSS JOIN units u ON u.file = j.value CROSS JOIN files f ON f.id = j.value"
)
# Each key looked up by the tasks' primary key, in key order (the table's own).
# What an entry shows of a task (status.Entry), and no more: not its done dates or note.
_COLUMNS = (
    "t.file, t.seq, t.measure, t.idx, t.title, t.id, t.repeat, t.owner_name, "
    "t.owner_address, t.postponed_from, t.postpone_reason, t.line"
)
_TASKS = (
    f"SELECT {_COLUMNS} FROM json_each(?) j CROSS JOIN tasks t "
    f"ON t.file = j.value >> {_SEQ_BITS} AND t.seq = j.value & {_SEQ_MASK}"
)


@dataclass(frozen=True, slots=True)
class Night:
    """The night's messages as compact rows, in plan's order; and the rows kept, if any."""

    owners: list[list[Compact]]  # one list per owner, owners by name then key
    escalations: list[list[Compact]]  # one per unit escalated, in campaign order
    groups: list[tuple[str, str, list[Compact]]]  # name, contact, rows: campaign order
    units: dict[int, tuple[Row, str]] | None  # every unit row and display name (KEEP_UNITS)
    once: bool  # every Unit and Task made once a night (MAKE_ONCE)


def planned(
    index: Index,
    *,
    campaign: Campaign,
    as_of: dt.date,
    lang: Lang,
    filters: Filters,
    soon: int,
    leave_out: Collection[dt.date] = (),
) -> Iterator[Message]:
    """plan.planned's messages for the selected overdue and due-soon tasks (none due on a
    day in ``leave_out``): the rows are read now (DamagedError if any is missing or
    makes no unit), the messages made one at a time as they are asked for, while the
    index stays open."""
    night = _night(
        index, campaign=campaign, as_of=as_of, filters=filters, soon=soon, leave_out=leave_out
    )
    return _messages(index, night, campaign=campaign, as_of=as_of, lang=lang)


def _night(
    index: Index,
    *,
    campaign: Campaign,
    as_of: dt.date,
    filters: Filters,
    soon: int,
    leave_out: Collection[dt.date],
) -> Night:
    """One pass over the selected rows; grouped as plan.planned groups Items."""
    days = said_on(campaign.calendar, as_of)
    where, params = where_of(filters, states=True)
    chosen = f"s.state IN ('{State.DUE_SOON.value}', '{State.OVERDUE.value}')"
    if leave_out:  # ISO dates: digits and hyphens
        chosen += f" AND s.due NOT IN ({', '.join(repr(d.isoformat()) for d in leave_out)})"
    sql = _NIGHT.format(f"({where}) AND {UNDONE}", chosen)
    rows = index.conn.execute(sql, params | days_of(as_of, soon)).fetchall()
    damaged = {row[0] for row in rows if row[6] is None}
    if damaged:
        dropped(index, damaged)
    said = _said_days(rows, campaign=campaign, as_of=as_of, days=days)
    mine: dict[str, list[Compact]] = {}
    names: dict[str, str] = {}
    escalated: dict[str, list[Compact]] = {}
    due_to_escalate: set[str] = set()
    long: list[tuple[int, Compact, bool]] = []  # overdue long enough for groups' digests
    for file_id, seq, n, due_text, state_text, unit_id, name, address in rows:
        key = (file_id << _SEQ_BITS) | seq
        due, state, overdue, told, escalate, red = said[due_text, state_text]
        compact = (key, n, due, state, overdue)
        if told:
            owner = address.lower() if address else f"{unit_id}/{name}"
            if owner not in mine:
                mine[owner], names[owner] = [], name
            mine[owner].append(compact)
        if escalate is not None:
            escalated.setdefault(unit_id, []).append(compact)
            if escalate:
                due_to_escalate.add(unit_id)
        if red is not None:
            long.append((file_id, compact, red))
    files = {row[0] for row in rows}
    del rows
    long_files = {f for f, _, _ in long}
    units, where_of_long = _unit_rows(index, files, long_files, keep=len(files) <= KEEP_UNITS)
    order = sorted(mine, key=lambda owner: (names[owner], owner))
    return Night(
        owners=[mine[owner] for owner in order],
        escalations=[found for unit, found in escalated.items() if unit in due_to_escalate],
        groups=_groups(long, where_of_long, campaign=campaign),
        units=units,
        once=index.built <= MAKE_ONCE,
    )


# What plan says of an occurrence by its due day and state: its due day, state and days
# overdue; whether its owner is told tonight; None if it is not escalated, else whether
# its unit's escalation is due tonight; None if no group's digest holds it, else whether
# one is due.
Said = tuple[dt.date, State, int | None, bool, bool | None, bool | None]


def _said_days(
    rows: list[Row], *, campaign: Campaign, as_of: dt.date, days: Sequence[dt.date]
) -> dict[tuple[str, str], Said]:
    """plan.planned's and group_digests's tests, once for each due day and state of the
    night (a few hundred), not once per task."""
    config = campaign.remind
    late = overdue_counter(campaign.calendar, as_of)
    said: dict[tuple[str, str], Said] = {}
    for due_text, state_text in {(row[3], row[4]) for row in rows}:
        due, state = dt.date.fromisoformat(due_text), STATES[state_text]
        overdue = late(due) if state is State.OVERDUE else None
        told = told_tonight(state, due, overdue, days, as_of, campaign)
        escalate = red = None
        every = config.overdue_every
        if overdue is not None and overdue >= config.escalate_after:
            start = config.escalate_after
            escalate = overdue_tonight(due, overdue, days, as_of, start=start, every=every)
        if campaign.groups and overdue is not None and overdue >= config.group_after:
            start = config.group_after
            red = overdue_tonight(due, overdue, days, as_of, start=start, every=every)
        said[due_text, state_text] = (due, state, overdue, told, escalate, red)
    return said


def _unit_rows(
    index: Index, files: set[int], wanted: set[int], *, keep: bool
) -> tuple[dict[int, tuple[Row, str]] | None, dict[int, tuple[str, str, str | None]]]:
    """The rows of the night's units (DamagedError if any is missing or makes no unit):
    the rows kept with ``keep``, and the unit id, county and sector of the ``wanted``
    files."""
    kept: dict[int, tuple[Row, str]] = {}
    where: dict[int, tuple[str, str, str | None]] = {}
    seen = set()
    damaged = set()
    for *head, display in index.conn.execute(_UNITS, (json.dumps(sorted(files)),)):
        file_id = head[0]
        row = tuple(head)
        if row[4] not in _LEVELS:
            damaged.add(file_id)
            continue
        seen.add(file_id)
        if keep:
            kept[file_id] = row, display
        if file_id in wanted:
            where[file_id] = row[1], row[3], row[8]
    damaged |= files - seen
    if damaged:
        dropped(index, damaged)
    return (kept if keep else None), where


def _groups(
    long: list[tuple[int, Compact, bool]],
    where: dict[int, tuple[str, str, str | None]],
    *,
    campaign: Campaign,
) -> list[tuple[str, str, list[Compact]]]:
    """digest.group_digests's groups: each with a unit's task on a red day, and all its
    units' tasks that long overdue, in the campaign's order."""
    found: dict[str, list[Compact]] = {}
    due: set[str] = set()
    covers: dict[int, tuple[str, ...]] = {}
    for file_id, compact, red in long:
        names = covers.get(file_id)
        if names is None:
            unit_id, county, sector = where[file_id]
            names = covers[file_id] = covering(
                campaign, county=county, sector=sector, unit_id=unit_id
            )
        for name in names:
            found.setdefault(name, []).append(compact)
            if red:
                due.add(name)
    return [(g.name, g.contact, found[g.name]) for g in campaign.groups if g.name in due]


def _messages(
    index: Index, night: Night, *, campaign: Campaign, as_of: dt.date, lang: Lang
) -> Iterator[Message]:
    """The night's messages, their entries made a batch at a time."""
    making = _making(index, night)
    for batch in _batches(night.owners):
        make, _ = making([c for found in batch for c in found])
        for found in batch:
            yield owner_message(list(map(make, found)), campaign=campaign, as_of=as_of, lang=lang)
    for batch in _batches(night.escalations):
        make, contact = making([c for found in batch for c in found])
        for found in batch:
            yield escalation_message(
                list(map(make, found)), contact(found[0]), campaign=campaign, as_of=as_of, lang=lang
            )
    for name, contact_of, found in night.groups:
        make, _ = making(found)
        yield group_digest(name, contact_of, list(map(make, found)), campaign, as_of, lang)


def _batches(lists: list[list[Compact]]) -> Iterator[list[list[Compact]]]:
    """The lists in order, a few at a time: about BATCH rows (or one list) each."""
    batch: list[list[Compact]] = []
    size = 0
    for found in lists:
        batch.append(found)
        size += len(found)
        if size >= BATCH:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


# What an entry takes from its unit's row and its task's: the fields before the
# occurrence, those between it and the due day, and those after the state.
Parts = tuple[tuple[Any, ...], tuple[Any, ...], tuple[Any, ...]]
_entry = functools.partial(tuple.__new__, Entry)


def _making(
    index: Index, night: Night
) -> Callable[[list[Compact]], tuple[Callable[[Compact], Entry], Callable[[Compact], Person]]]:
    """For a batch of rows, a function making the entry (status.Entry) of each from its
    task and unit rows, and one naming its unit's contact: the tasks' rows read for the
    batch (in the same snapshot), the units' kept by the night or read for it; what each
    task gives its entries made once in a city's night, else for its batch alone."""
    made: dict[int, Parts] = {}

    def prepare(
        rows: list[Compact],
    ) -> tuple[Callable[[Compact], Entry], Callable[[Compact], Person]]:
        heads = night.units
        if heads is None or not night.once:  # made for this batch alone
            made.clear()
        keys = json.dumps(sorted({c[0] for c in rows if c[0] not in made}))
        if heads is None:
            files = json.dumps(sorted({c[0] >> _SEQ_BITS for c in rows}))
            heads = {
                head[0]: (tuple(head), display)
                for *head, display in index.conn.execute(_UNITS, (files,))
            }
        for file_id, seq, *task in index.conn.execute(_TASKS, (keys,)):
            head, display = heads[file_id]
            measure, idx, title, task_id, repeat, name, address, postponed, reason, line = task
            made[(file_id << _SEQ_BITS) | seq] = (
                (head[3], head[1], head[2], head[4], measure, idx, title, task_id),
                (repeat, name, address),
                (postponed and dt.date.fromisoformat(postponed), reason, display, line),
            )
        units = heads

        def entry(compact: Compact) -> Entry:
            key, n, due, state, overdue = compact
            front, middle, back = made[key]
            return _entry((*front, n, *middle, due, None, state, overdue, *back))

        def contact(compact: Compact) -> Person:
            head = units[compact[0] >> _SEQ_BITS][0]
            return Person(head[5], head[6], head[1])

        return entry, contact

    return prepare
