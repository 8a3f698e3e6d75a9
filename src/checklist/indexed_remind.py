"""remind from the index's rows, owner by owner: a night in memory bounded by its messages.

The units' path makes every overdue and due-soon task of the night an Item (with its
Task and Unit, about 1.5 KB each) before the first message: a province's night held
half a gigabyte. Here one pass reads the selected occurrences and their tasks' owners
(rows the seal, or the run's own check, vouched for: indexed.py) and keeps a compact
row for each (the task's key, the occurrence, its due day, state and days overdue),
grouped as plan.planned groups them: by the owner's key (Person.key, worked out in
Python: SQLite's lower() knows ASCII only), by unit for escalations, by liaison group
for digests. A message's tasks are made only when it is, a batch of owners (or units)
at a time, as entries (status.Entry: the few columns of the task and unit rows a line,
the JSON and the ledger show), never as Items, Tasks or Units; every row was found in
the first pass and the snapshot holds (the caller keeps the index open until the last
message), so nothing found missing can stop a night half printed or half sent. The
messages are plan's, made by plan's own functions, byte for byte.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass

from checklist.filters import Filters
from checklist.groups import covering
from checklist.i18n import Lang
from checklist.indexed import STATES, UNDONE, Index, days_of, where_of
from checklist.indexed_status import dropped
from checklist.load.rows import STATE_SQL, Row, date_of
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
# the units' rows (some 300 bytes each) in a night of up to KEEP_UNITS units; and in a
# city's night (up to MAKE_ONCE units) each task's row once read, for the escalations
# that list it again. A task's row is read for the batch that makes its entries: the
# night's first pass reads only its owner.
KEEP_UNITS = 100_000
MAKE_ONCE = 20_000
BATCH = 2_000  # occurrences whose entries are made at once

# A compact row: the task's key (file << 32 | seq), the occurrence, its due day, its
# state and its days overdue (None unless overdue).
Compact = tuple[int, int, dt.date, State, int | None]

# The selected occurrences, their unit's id and their task's owner, in the order the
# units' path makes them (files as found, tasks as written); a task's row missing is
# damage (LEFT JOIN: its owner None). {0}: the filters; {1}: which are read.
_NIGHT = f"""SELECT s.file, s.seq, s.n, s.due, s.state, s.unit, t.owner_name, t.owner_address{{2}}
    FROM (SELECT o.file, o.seq, o.n, o.due, o.done, {STATE_SQL} AS state, r.unit, r.pos
    FROM occurrences o JOIN temp.run r ON r.file = o.file WHERE {{0}}) s
    LEFT JOIN tasks t ON t.file = s.file AND t.seq = s.seq WHERE {{1}}
    ORDER BY s.pos, s.seq, s.n"""
_LEVELS = frozenset(level.value for level in Level)
_entry = functools.partial(tuple.__new__, Entry)  # an entry from a tuple of its fields

# A task's key in one integer, (file << 32) | seq: the keys go to SQLite as one
# JSON array (json_each), not as rows of a temporary table (20 ms for 17,000 of them).
_SEQ_BITS = 32
_SEQ_MASK = (1 << _SEQ_BITS) - 1

# A unit's row as a night keeps it: what its tasks' entries show of it (status.Entry's
# county, unit id and name, level, file), its contact and its sector (the groups').
_UNITS = (
    "SELECT u.file, u.county, u.id, u.name, u.level, f.display, u.contact_name, "
    "u.contact_address, u.sector FROM json_each(?) j "
    "CROSS JOIN units u ON u.file = j.value CROSS JOIN files f ON f.id = j.value"
)
# What an entry shows of a task, after its key, and no more (not its done dates or note):
# read with the night's rows in a city's night, which keeps them all anyway (MAKE_ONCE);
# else each key looked up by the tasks' primary key, in key order (the table's own).
_TASK = (
    f"(t.file << {_SEQ_BITS}) | t.seq, t.measure, t.idx, t.title, t.id, t.repeat, "
    "t.owner_name, t.owner_address, t.postponed_from, t.postpone_reason, t.line"
)
_TASKS = (
    f"SELECT {_TASK} FROM json_each(?) j CROSS JOIN tasks t "
    f"ON t.file = j.value >> {_SEQ_BITS} AND t.seq = j.value & {_SEQ_MASK}"
)


@dataclass(frozen=True, slots=True)
class Night:
    """The night's messages as compact rows, in plan's order; and the rows kept, if any."""

    owners: list[list[Compact]]  # one list per owner, owners by name then key
    escalations: list[list[Compact]]  # one per unit escalated, in campaign order
    groups: list[tuple[str, str, list[Compact]]]  # name, contact, rows: campaign order
    units: dict[int, Row] | None  # every unit's row (_UNITS), in a night of KEEP_UNITS
    once: bool  # every task's row kept once read, in a night of MAKE_ONCE units
    tasks: dict[int, Row]  # the tasks' rows (_TASK) read with the night's, if once


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
    """One pass over the selected rows; grouped as plan.planned groups them."""
    days = said_on(campaign.calendar, as_of)
    where, params = where_of(filters, states=True)
    chosen = f"s.state IN ('{State.DUE_SOON.value}', '{State.OVERDUE.value}')"
    if leave_out:  # ISO dates: digits and hyphens
        chosen += f" AND s.due NOT IN ({', '.join(repr(d.isoformat()) for d in leave_out)})"
    once = index.built <= MAKE_ONCE
    sql = _NIGHT.format(f"({where}) AND {UNDONE}", chosen, f", {_TASK}" if once else "")
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
    tasks: dict[int, Row] = {}
    for row in rows:
        file_id, seq, n, due_text, state_text, unit_id, name, address = row[:8]
        key = (file_id << _SEQ_BITS) | seq
        if once and key not in tasks:
            tasks[key] = row[8:]
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
        once=once,
        tasks=tasks,
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
) -> tuple[dict[int, Row] | None, dict[int, tuple[str, str, str | None]]]:
    """The rows of the night's units (DamagedError if any is missing or makes no unit):
    the rows kept with ``keep``, and the unit id, county and sector of the ``wanted``
    files."""
    kept: dict[int, Row] = {}
    where: dict[int, tuple[str, str, str | None]] = {}
    seen = set()
    damaged = set()
    for row in index.conn.execute(_UNITS, (json.dumps(sorted(files)),)):
        file_id = row[0]
        if row[4] not in _LEVELS:
            damaged.add(file_id)
            continue
        seen.add(file_id)
        if keep:
            kept[file_id] = row
        if file_id in wanted:
            where[file_id] = row[2], row[1], row[8]
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


def _making(
    index: Index, night: Night
) -> Callable[[list[Compact]], tuple[Callable[[Compact], Entry], Callable[[Compact], Person]]]:
    """For a batch of rows, a function making the entry (status.Entry) of each from its
    task's and unit's rows, and one naming its unit's contact: the tasks' rows read for
    the batch (in the same snapshot), kept for the night in a city's; the units' kept by
    the night or read for the batch."""
    tasks: dict[int, Row] = night.tasks

    def prepare(
        rows: list[Compact],
    ) -> tuple[Callable[[Compact], Entry], Callable[[Compact], Person]]:
        units = night.units
        if units is None or not night.once:  # read for this batch alone
            tasks.clear()
        wanted = sorted({c[0] for c in rows if c[0] not in tasks})
        if wanted:
            keys = json.dumps(wanted)
            tasks.update((row[0], row) for row in index.conn.execute(_TASKS, (keys,)))
        if units is None:
            files = json.dumps(sorted({c[0] >> _SEQ_BITS for c in rows}))
            units = {row[0]: row for row in index.conn.execute(_UNITS, (files,))}
        heads = units

        def entry(compact: Compact) -> Entry:
            key, n, due, state, overdue = compact
            t = tasks[key]
            u = heads[key >> _SEQ_BITS]
            postponed = t[8] and date_of(t[8])
            return _entry(
                (u[1], u[2], u[3], u[4], t[1], t[2], t[3], t[4], n, t[5], t[6], t[7],
                 due, None, state, overdue, postponed, t[9], u[5], t[10])
            )  # fmt: skip

        def contact(compact: Compact) -> Person:
            u = heads[compact[0] >> _SEQ_BITS]
            return Person(u[6], u[7], u[2])

        return entry, contact

    return prepare
