"""What every unit rule reads: the file's context and its tasks as written."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from checklist.load.shape import BAD, KEY_NAMES_ZH, table_name
from checklist.model import Campaign, MeasureDef
from checklist.rules.registry import KeyPath
from checklist.words import quote


@dataclass(frozen=True, slots=True)
class Context:
    """What a unit rule knows besides the document: the campaign, the day, the file."""

    campaign: Campaign
    today: dt.date
    stem: str  # the file name without .toml: the default unit id
    folders: tuple[str, ...]  # folders between the campaign root and the file
    text: str = ""  # the file's text, for checks that can rule things out at a glance
    entries: tuple[Entry, ...] = ()  # the tasks as written, found once for every check
    bom: bool = False  # the bytes start with a UTF-8 byte-order mark (decoding drops it)


def good(table: Any, key: str) -> Any:
    """The value at ``key`` if it is present and usable, else None."""
    if not isinstance(table, dict):
        return None
    value = table.get(key)
    return None if value is BAD else value


@dataclass(slots=True)  # not frozen, only never changed: a frozen one takes 4x as long to make
class Entry:
    """One task as written; a measure without tasks is its own single entry."""

    measure: MeasureDef
    table: dict[str, Any]
    path: KeyPath
    index: int  # 1-based; 0 for a measure without tasks
    defaults: dict[str, Any]  # the measure table, whose owner and due tasks inherit

    def get(self, key: str) -> Any:
        """The task's own value, else the measure's (for the keys tasks inherit)."""
        if key in self.table:
            return self.table[key]
        if self.index and key in ("owner", "due"):
            return self.defaults.get(key)
        return None

    def where(self, key: str) -> KeyPath:
        """Where the value ``get(key)`` is written."""
        if key in self.table or not self.index:
            return (*self.path, key)
        return (self.measure.key, key)

    @property
    def label(self) -> str:
        title = good(self.table, "title")
        if self.index == 0:
            return f"[{self.measure.key}]"
        return f"task {quote(title)}" if isinstance(title, str) else table_name(self.path)

    @property
    def label_zh(self) -> str:
        """``label`` for a clerk: the measure by its Chinese name, the task by its title."""
        title = good(self.table, "title")
        if self.index == 0:
            return measure_zh(self.measure)
        if isinstance(title, str):
            return f"任务 {quote(title)}"
        return f"“{self.measure.name}”的第 {self.index} 项任务"


def measure_zh(measure: MeasureDef) -> str:
    """A measure for a clerk: its Chinese name, then its key, “理论学习”([study])."""
    return f"“{measure.name}”([{measure.key}])"


def key_zh(key: str) -> str:
    """A key for a clerk: what it is called, then the key as typed, 责任人(owner)."""
    name = KEY_NAMES_ZH.get(key)
    return f"{name}({key})" if name else key


def entries(doc: dict[str, Any], campaign: Campaign) -> tuple[Entry, ...]:
    """Every task of the document, measure by measure, found once for every check."""
    found = []
    for measure in campaign.measures:
        table = doc.get(measure.key)
        if not isinstance(table, dict):
            continue
        tasks = table.get("tasks")
        if tasks is BAD:
            continue
        if not tasks:
            found.append(Entry(measure, table, (measure.key,), 0, table))
            continue
        here = (measure.key, "tasks")
        found += [Entry(measure, task, (*here, i), i + 1, table) for i, task in enumerate(tasks)]
    return tuple(found)


def parse_person(text: str) -> tuple[str, str | None]:
    """Split 'Name <address>' into its parts; a bare address names itself."""
    found = angled(text)
    if found:
        return found
    if EMAIL.fullmatch(text.strip()):
        return text.strip(), text.strip()
    return text.strip(), None


def angled(text: str) -> tuple[str, str] | None:
    """'Name <address>' as (name, address), or None: one pass over the text.

    The regex this replaces (a lazy name, then spaces, then "<") retried the spaces from
    every character of the name: 200,000 spaces of padding took half a minute.
    """
    body = text.strip()
    if not body.endswith(">") or body.count("<") != 1 or body.count(">") != 1:
        return None
    name, _, address = body[:-1].partition("<")
    return name.strip(), address.strip()


EMAIL = re.compile(r"^[^@\s<>,;\"]++@[^@\s<>,;\"]+\.[^@\s<>,;\".]++$")
