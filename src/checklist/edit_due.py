"""A due date as the edits read and write it, ``due_workdays`` with ``from`` included.

``postpone`` and ``import --update`` move a due date. A task that gives it as working days
after a day (docs/calendar.md) has no ``due`` to change, and writing one beside the pair
would make the file say two things (E215): the pair becomes a plain ``due``, on the line
where it stood, with the comments written on its lines.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from checklist.model import Campaign
from checklist.workdays import calendar_of

_PAIR = ("due_workdays", "from")


def written_due(task: Any, table: Any, campaign: Campaign) -> dt.date | None:
    """The task's due date as checklist reads it: its own, else its measure's; a
    ``due_workdays`` count gives the working day it comes to after ``from``."""
    for where in (task, table):
        if "due" in where:
            due = where["due"]
            return dt.date(due.year, due.month, due.day) if isinstance(due, dt.date) else None
        if all(key in where for key in _PAIR):
            start, count = where["from"], where["due_workdays"]
            if not isinstance(start, dt.date) or not isinstance(count, int):
                return None
            day = dt.date(start.year, start.month, start.day)
            return calendar_of(campaign.calendar).add_workdays(day, int(count))
    return None


def set_due(target: Any, day: dt.date, put: Any) -> None:
    """Set the task's own due to ``day``: in place of its ``due_workdays`` and ``from``
    if it has them (their comments kept on the new line), else with ``put(target, "due",
    day)`` (edit._set, which places a new key after the table's last one)."""
    if not all(key in target for key in _PAIR):
        put(target, "due", day)
        return
    container: Any = getattr(target, "value", target)
    keys = [k.key for k, _ in getattr(container, "body", ()) if k is not None]
    first = min(_PAIR, key=keys.index) if all(k in keys for k in _PAIR) else None
    comments = [_comment(target, key) for key in _PAIR]
    spacing = next((ws for ws, text in comments if text), None)
    if first is not None and hasattr(container, "_insert_after"):
        container._insert_after(first, "due", day)
    else:
        target["due"] = day
    for key in _PAIR:
        del target[key]
    said = [text for _, text in comments if text]
    if said:
        item = target.item("due")
        item.comment("; ".join(said))
        if spacing is not None:
            item.trivia.comment_ws = spacing


def _comment(target: Any, key: str) -> tuple[str | None, str]:
    """The spacing before, and the text of, the comment ending ``key``'s line ("" if none)."""
    try:
        trivia = target.item(key).trivia
    except (AttributeError, KeyError):
        return None, ""
    text = str(trivia.comment or "").lstrip("#").strip()
    return trivia.comment_ws, text
