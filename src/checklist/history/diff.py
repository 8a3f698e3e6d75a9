"""What changed between two versions of one unit: tasks done, reopened, added, removed, moved."""

from __future__ import annotations

import datetime as dt
import enum
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from checklist.model import Task, Unit


class Kind(enum.StrEnum):
    """One kind of change; the order is the order a unit's changes are listed in."""

    UNIT_ADDED = "unit_added"
    UNIT_REMOVED = "unit_removed"
    RENAMED = "renamed"
    DONE = "done"
    REOPENED = "reopened"
    ADDED = "added"
    REMOVED = "removed"
    POSTPONED = "postponed"  # the due date moved, and postponed_from says from when
    MOVED = "moved"  # the due date moved, and nothing records it: flagged
    BROKEN = "broken"  # the file does not check now: its changes cannot be told
    FIXED = "fixed"  # the file did not check before and does now


ORDER = {kind: i for i, kind in enumerate(Kind)}

TaskKey = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Edit:
    """One change to one task (or to the unit, with ``task`` None)."""

    kind: Kind
    task: TaskKey | None = None
    measure: str | None = None
    title: str | None = None
    day: dt.date | None = None  # the done date; the new due date of a move
    before: dt.date | None = None  # the old due date of a move
    reason: str | None = None  # postpone_reason


def task_keys(tasks: Iterable[Task]) -> Iterator[tuple[TaskKey, Task]]:
    """Each task with what identifies it across versions: its id, else measure and title.

    A title written twice in one measure is told apart by its place among its namesakes.
    """
    seen: Counter[tuple[str, str]] = Counter()
    for task in tasks:
        if task.index == 0:  # a measure without tasks: its own owner and due date
            yield (task.measure,), task
            continue
        if task.id is not None:
            yield ("id", task.id), task
            continue
        seen[task.measure, task.title] += 1
        yield (task.measure, task.title, str(seen[task.measure, task.title])), task


def diff_units(old: Unit | None, new: Unit | None) -> list[Edit]:
    """The edits that make ``old`` into ``new`` (None: the unit is not there)."""
    if old is None and new is None:
        return []
    if old is None:
        return [Edit(Kind.UNIT_ADDED)]
    if new is None:
        return [Edit(Kind.UNIT_REMOVED)]
    before = dict(task_keys(old.tasks))
    after = dict(task_keys(new.tasks))
    edits: list[Edit] = []
    for key, task in after.items():
        was = before.get(key)
        if was is None:
            # A measure's own entry comes and goes with its last task: not a task of its own.
            if task.index:
                edits.append(_edit(Kind.ADDED, key, task))
            edits.extend(_edit(Kind.DONE, key, task, day=day) for day in task.done)
        else:
            edits.extend(diff_tasks(key, was, task))
    edits.extend(
        _edit(Kind.REMOVED, key, task)
        for key, task in before.items()
        if key not in after and task.index
    )
    return edits


def diff_tasks(key: TaskKey, old: Task, new: Task) -> list[Edit]:
    """Done dates added and taken away (a repeating task has several), and a moved due date."""
    edits: list[Edit] = []
    gained = Counter(new.done) - Counter(old.done)
    lost = Counter(old.done) - Counter(new.done)
    edits.extend(_edit(Kind.DONE, key, new, day=day) for day in sorted(gained.elements()))
    edits.extend(_edit(Kind.REOPENED, key, new, day=day) for day in sorted(lost.elements()))
    if new.due != old.due:
        recorded = new.postponed_from is not None and (
            new.postponed_from == old.due or new.postponed_from != old.postponed_from
        )
        edits.append(
            _edit(
                Kind.POSTPONED if recorded else Kind.MOVED,
                key,
                new,
                day=new.due,
                before=old.due,
                reason=new.postpone_reason if recorded else None,
            )
        )
    return edits


def _edit(
    kind: Kind,
    key: TaskKey,
    task: Task,
    *,
    day: dt.date | None = None,
    before: dt.date | None = None,
    reason: str | None = None,
) -> Edit:
    return Edit(kind, key, task.measure, task.title, day, before, reason)
