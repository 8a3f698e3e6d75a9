"""Where every task stands on the report day: one state per task or occurrence."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from checklist.model import Campaign, Item, State, Task, Unit
from checklist.recur import occurrences

DEFAULT_SOON_DAYS = 7


def classify(due: dt.date, done: dt.date | None, *, as_of: dt.date, soon: int) -> State:
    """The state of one task on ``as_of``; a done date after ``as_of`` has not happened yet."""
    if done is not None and done <= as_of:
        return State.DONE if done <= due else State.DONE_LATE
    if due < as_of:
        return State.OVERDUE
    if due <= as_of + dt.timedelta(days=soon):
        return State.DUE_SOON
    return State.OPEN


def due_dates(task: Task, campaign: Campaign) -> tuple[dt.date, ...]:
    """Each occurrence's due date: one for a plain task, the rule's dates for a repeating one."""
    if task.repeat is None:
        return (task.due,)
    last = min(task.until, campaign.end) if task.until else campaign.end
    return occurrences(task.repeat, first=task.due, last=last)


def items(
    units: Iterable[Unit], *, campaign: Campaign, as_of: dt.date, soon: int = DEFAULT_SOON_DAYS
) -> Iterator[Item]:
    """Every task of every unit, each occurrence of a repeating task on its own."""
    for unit in units:
        for task in unit.tasks:
            dues = due_dates(task, campaign)
            repeating = task.repeat is not None
            for n, due in enumerate(dues, 1):
                # The n-th done date completes the n-th occurrence.
                done = task.done[n - 1] if n <= len(task.done) else None
                state = classify(due, done, as_of=as_of, soon=soon)
                yield Item(
                    unit=unit,
                    task=task,
                    occurrence=n if repeating else 0,
                    due=due,
                    done=done if done is not None and done <= as_of else None,
                    state=state,
                    days_overdue=(as_of - due).days if state is State.OVERDUE else None,
                )
