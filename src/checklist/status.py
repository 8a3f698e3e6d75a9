"""Where every task stands on the report day: one state per task or occurrence."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from checklist.dates import shift
from checklist.model import Campaign, Item, State, Task, Unit
from checklist.recur import task_dates
from checklist.workdays import overdue_counter

DEFAULT_SOON_DAYS = 7


def classify(due: dt.date, done: dt.date | None, *, as_of: dt.date, soon: int) -> State:
    """The state of one task on ``as_of``; a done date after ``as_of`` has not happened yet."""
    return _state(
        due,
        done if done is not None and done <= as_of else None,
        as_of,
        shift(as_of, soon),
    )


def _state(due: dt.date, done: dt.date | None, as_of: dt.date, horizon: dt.date) -> State:
    """``done`` is already None when it falls after ``as_of``; ``horizon`` ends "due soon"."""
    if done is not None:
        return State.DONE if done <= due else State.DONE_LATE
    if due < as_of:
        return State.OVERDUE
    return State.DUE_SOON if due <= horizon else State.OPEN


def due_dates(task: Task, campaign: Campaign) -> tuple[dt.date, ...]:
    """Each occurrence's due date: one for a plain task, the rule's dates for a repeating one."""
    return task_dates(
        task.repeat, due=task.due, until=task.until, campaign=campaign, shift=task.shift
    )


def items(
    units: Iterable[Unit], *, campaign: Campaign, as_of: dt.date, soon: int = DEFAULT_SOON_DAYS
) -> Iterator[Item]:
    """Every task of every unit, each occurrence of a repeating task on its own."""
    horizon = shift(as_of, soon)
    late = overdue_counter(campaign.calendar, as_of)
    for unit in units:
        for task in unit.tasks:
            if task.repeat is None:  # most tasks: one due date, at most one done date
                done = task.done[0] if task.done and task.done[0] <= as_of else None
                yield _item(unit, task, 0, task.due, done, as_of, horizon, late)
                continue
            for n, due in enumerate(due_dates(task, campaign), 1):
                # The n-th done date completes the n-th occurrence.
                done = task.done[n - 1] if n <= len(task.done) else None
                done = done if done and done <= as_of else None
                yield _item(unit, task, n, due, done, as_of, horizon, late)


def _item(
    unit: Unit,
    task: Task,
    n: int,
    due: dt.date,
    done: dt.date | None,
    as_of: dt.date,
    horizon: dt.date,
    late: Callable[[dt.date], int],
) -> Item:
    state = _state(due, done, as_of, horizon)
    overdue = late(due) if state is State.OVERDUE else None
    return Item(unit, task, n, due, done, state, overdue)


def listed(
    items: Sequence[Item], *, campaign: Campaign, everything: bool, soon: bool
) -> list[Item]:
    """The items a status report lists, most overdue first.

    Overdue ones, and due-soon ones when ``soon`` was asked for; ``everything``
    (--all, or a --state filter) lists every item it is given.
    """
    if everything:
        chosen = list(items)
    else:
        wanted = {State.OVERDUE, State.DUE_SOON} if soon else {State.OVERDUE}
        chosen = [i for i in items if i.state in wanted]
    chosen.sort(key=order(campaign))
    return chosen


# status's order of the states: the overdue first.
RANK = {State.OVERDUE: 0, State.DUE_SOON: 1, State.OPEN: 2, State.DONE_LATE: 3, State.DONE: 4}


def places(campaign: Campaign) -> tuple[dict[str, int], dict[str, int]]:
    """Each county's (by code) and measure's (by key) place in campaign.toml."""
    counties = {c.code: i for i, c in enumerate(campaign.counties)}
    return counties, {m.key: i for i, m in enumerate(campaign.measures)}


def order(campaign: Campaign) -> Callable[[Item], tuple[Any, ...]]:
    """Most overdue first, then soonest due, then campaign order (indexed_status._order
    says it in SQL)."""
    counties, measures = places(campaign)

    def key(item: Item) -> tuple[Any, ...]:
        return (
            RANK[item.state],
            -(item.days_overdue or 0),
            item.due,
            counties.get(item.unit.county, 0),
            item.unit.id,
            measures.get(item.task.measure, 0),
            item.task.index,
            item.occurrence,
        )

    return key


class Entry(NamedTuple):
    """An item as status lists it, in its own words and dates: no unit or task behind it,
    so that the index's rows make one without making the unit (a province lists 100,000)."""

    county: str  # the unit's county code
    unit: str  # the unit's id
    unit_name: str
    level: str
    measure: str  # the measure's key
    task_index: int  # 1-based within its measure
    title: str
    task_id: str | None
    occurrence: int
    repeat: str | None
    owner: str
    owner_address: str | None
    due: dt.date
    done: dt.date | None
    state: State
    days_overdue: int | None
    postponed_from: dt.date | None
    postpone_reason: str | None
    file: str
    line: int

    @property
    def listed_title(self) -> str:
        """The title as a list says it: a repeating task's occurrence numbered after it."""
        return f"{self.title} #{self.occurrence}" if self.occurrence else self.title


def entry_of(item: Item) -> Entry:
    unit, task = item.unit, item.task
    return Entry(
        unit.county, unit.id, unit.name, str(unit.level), task.measure, task.index, task.title,
        task.id, item.occurrence, task.repeat, task.owner.name, task.owner.address, item.due,
        item.done, item.state, item.days_overdue, task.postponed_from, task.postpone_reason,
        unit.file, task.line,
    )  # fmt: skip


def listed_entries(
    items: Sequence[Item], *, campaign: Campaign, everything: bool, soon: bool
) -> list[Entry]:
    """listed's items as entries."""
    return [entry_of(i) for i in listed(items, campaign=campaign, everything=everything, soon=soon)]


@dataclass(frozen=True, slots=True)
class Summary:
    """What status's summary line says of the selected items: counts, not the items."""

    overdue: int
    due_soon: int
    units: int  # with an overdue or due-soon item
    counties: int  # likewise
    postponed: int  # items whose task was postponed, in any state


def summarize(items: Sequence[Item]) -> Summary:
    pressing = [i for i in items if i.state in (State.OVERDUE, State.DUE_SOON)]
    return Summary(
        sum(i.state is State.OVERDUE for i in items),
        sum(i.state is State.DUE_SOON for i in items),
        len({i.unit.id for i in pressing}),
        len({i.unit.county for i in pressing}),
        sum(i.task.postponed_from is not None for i in items),
    )


def item_to_dict(item: Item, campaign: Campaign) -> dict[str, Any]:
    """An item as the JSON reports and the reminder state write it (docs/semantics.md)."""
    return entry_to_dict(entry_of(item), campaign)


def entry_to_dict(entry: Entry, campaign: Campaign) -> dict[str, Any]:
    county, measure = campaign.county(entry.county), campaign.measure(entry.measure)
    found = {
        "county": entry.county,
        "county_name": county.name if county else None,
        "unit": entry.unit,
        "unit_name": entry.unit_name,
        "level": entry.level,
        "measure": entry.measure,
        "measure_name": measure.name if measure else None,
        "title": entry.title,
        "task_id": entry.task_id,
        "occurrence": entry.occurrence or None,
        "repeat": entry.repeat,
        "owner": entry.owner,
        "owner_address": entry.owner_address,
        "due": entry.due.isoformat(),
        "done": entry.done.isoformat() if entry.done else None,
        "state": str(entry.state),
        "days_overdue": entry.days_overdue,
        "postponed_from": entry.postponed_from.isoformat() if entry.postponed_from else None,
        "file": entry.file,
        "line": entry.line,
    }
    if campaign.calendar.count == "workdays":  # absent: calendar days, as before
        found["days_overdue_unit"] = "workdays"
    return found
