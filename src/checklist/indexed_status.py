"""status from the index's occurrences: its summary counted, only what it lists made.

status counts its summary in SQL and makes its entries (status.Entry: words and dates,
no Task or Unit) from one query that reads each listed occurrence with its task's and
unit's rows, in status's order. Those rows were checked with the occurrences, by the run
or before its seal (indexed._damaged), so what is listed here is what the units' path
lists (indexed.py says when the index answers; indexed_remind.py makes remind's night).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, NoReturn

from checklist.filters import Filters
from checklist.indexed import STATES, UNDONE, Index, days_of, where_of
from checklist.load.rows import STATE_SQL, date_of
from checklist.model import CalendarSettings, Campaign, Level, State
from checklist.status import RANK, Entry, Summary, places
from checklist.workdays import overdue_counter

_PRESSING = frozenset({State.OVERDUE, State.DUE_SOON})


def _states_sql(states: Iterable[State]) -> str:
    return f"state IN ({', '.join(repr(s.value) for s in sorted(states))})"


class DamagedError(Exception):
    """A listed unit's rows are missing or make no unit: dropped, the units' path runs."""


def dropped(index: Index, files: set[int]) -> NoReturn:
    """Drop damaged files' rows, for the units' path to check and write them again."""
    index.store.forget(sorted(files))
    raise DamagedError(sorted(files))


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
    SQL; an entry is made from its occurrence's, task's and unit's rows, in status's
    order, and no Task or Unit is made.
    """
    where, params = where_of(filters, states=True)
    params |= days_of(as_of, soon)
    (counted,) = index.conn.execute(_SUMMARY.format(where), params)
    summary = Summary(*(int(n or 0) for n in counted))
    if everything:
        chosen = "1"
    else:
        where = f"({where}) AND {UNDONE}"
        chosen = _states_sql(_PRESSING if listing_soon else {State.OVERDUE})
    sql = _ENTRIES.format(where, chosen, _order(campaign, params))
    found = index.conn.execute(sql, params)
    return summary, _entries(index, found, as_of=as_of, calendar=campaign.calendar)


def _order(campaign: Campaign, params: dict[str, Any]) -> str:
    """status.order in SQL: most overdue first (the earliest due: days overdue only grow as
    the due day goes back), then soonest due, then campaign order; no key is made per
    entry in Python, and a province's list is sorted by SQLite's sorter."""
    cases = []
    for column, name, keys in zip(
        ("u.county", "t.measure"), ("county", "measure"), places(campaign), strict=True
    ):
        whens = []
        for k, (key, place) in enumerate(keys.items()):
            params[f"place_{name}{k}"] = key
            whens.append(f"WHEN :place_{name}{k} THEN {place}")
        cases.append(f"CASE {column} {' '.join(whens)} ELSE 0 END" if whens else "0")
    ranks = " ".join(f"WHEN '{state.value}' THEN {rank}" for state, rank in RANK.items())
    return f"CASE s.state {ranks} END, s.due, {cases[0]}, u.id, {cases[1]}, t.idx, s.n"


# The summary's counts of the selected occurrences (status.summarize): only the overdue,
# due-soon and postponed ones count, so only those are read.
_SUMMARY = f"""SELECT count(CASE WHEN state = 'overdue' THEN 1 END),
    count(CASE WHEN state = 'due_soon' THEN 1 END),
    count(DISTINCT CASE WHEN state IN ('overdue', 'due_soon') THEN file END),
    count(DISTINCT CASE WHEN state IN ('overdue', 'due_soon') THEN county END),
    sum(postponed)
    FROM (SELECT o.file, r.county, {STATE_SQL} AS state, o.postponed_from IS NOT NULL AS postponed
    FROM occurrences o JOIN temp.run r ON r.file = o.file
    WHERE ({{0}}) AND ({UNDONE} OR o.postponed_from IS NOT NULL))"""
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
    """The entries of _ENTRIES's rows; DamagedError if a task's or unit's row is missing
    (or names no level), its file's rows dropped first."""
    late = overdue_counter(calendar, as_of)
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
        if unit is None or display is None or task is None or level not in levels:
            damaged.add(file_id)
            continue
        state = STATES[state_text]
        due = date_of(due_text)
        done = None
        if state is State.DONE or state is State.DONE_LATE:
            done = date_of(done_text)
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
                postponed and date_of(postponed),
                reason,
                display,
                line,
            )
        )
    if damaged:
        dropped(index, damaged)
    return entries
