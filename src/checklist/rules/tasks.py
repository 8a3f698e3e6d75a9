"""Rules on tasks: an owner and a due date each, keys where they mean something, ids."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from checklist.load.schema import ID_PATTERN
from checklist.load.shape import BAD, table_name
from checklist.rules.context import Context, Entry, good
from checklist.rules.registry import Finding, KeyPath, unit_rule
from checklist.words import quote


@unit_rule("E102", "E103", "E105", "E210", "E212", "W401", "W404")
def check_tasks(doc: dict[str, Any], ctx: Context) -> Iterator[Finding]:
    """Every task ends up with an owner and a due date; keys sit where they mean something."""
    for measure in ctx.campaign.measures:
        table = doc.get(measure.key)
        if isinstance(table, dict) and table.get("tasks") and table["tasks"] is not BAD:
            for key in ("done", "repeat", "until", "id", "postponed_from", "postpone_reason"):
                if key in table:
                    yield Finding(
                        "E105",
                        f'"{key}" belongs on a task: [{measure.key}] has tasks',
                        (measure.key, key),
                        hint=f"move it into the [[{measure.key}.tasks]] "
                        "it is about; a measure's own owner and due are its tasks' defaults",
                    )
    ids: dict[str, KeyPath] = {}
    titles: dict[tuple[str, str], int] = {}
    for entry in ctx.entries:
        for key in ("owner", "due"):
            if entry.get(key) is None:
                yield _unresolved(entry, key)
        repeat = entry.table.get("repeat")
        if "until" in entry.table and repeat is None:
            yield Finding(
                "E105",
                '"until" only goes with "repeat"',
                (*entry.path, "until"),
                hint='add repeat = "weekly" (or another rule), or remove until',
            )
        done = entry.table.get("done")
        if isinstance(done, list) and repeat is None:
            yield Finding(
                "E103",
                f'"done" is a list, but {entry.label} does not repeat',
                (*entry.path, "done"),
                on_value=True,
                hint="write the one day it was done, like done = 2023-10-27",
            )
        task_id = good(entry.table, "id")
        if isinstance(task_id, str) and task_id.strip():
            if not re.fullmatch(ID_PATTERN, task_id):
                yield Finding(
                    "E210",
                    f"task id {quote(task_id)} has characters ids cannot have",
                    (*entry.path, "id"),
                    on_value=True,
                    hint="use letters, digits, '.', '_' and '-', like study-1",
                )
            elif task_id in ids:
                yield Finding(
                    "E212",
                    f"task id {quote(task_id)} is already used by {table_name(ids[task_id][:-1])}",
                    (*entry.path, "id"),
                    on_value=True,
                    hint="give each task of the unit its own id",
                )
            else:
                ids[task_id] = (*entry.path, "id")
        title = good(entry.table, "title")
        if isinstance(title, str) and title.strip():
            seen = (entry.measure.key, title.strip())
            if seen in titles:
                yield Finding(
                    "W401",
                    f"task title {quote(title)} appears twice in "
                    f"[{entry.measure.key}] (tasks #{titles[seen]} and #{entry.index})",
                    (*entry.path, "title"),
                    on_value=True,
                    hint="tell the tasks apart in their titles, or merge them",
                )
            else:
                titles[seen] = entry.index
        if ("postponed_from" in entry.table) != ("postpone_reason" in entry.table):
            present = "postponed_from" if "postponed_from" in entry.table else "postpone_reason"
            missing = "postpone_reason" if present == "postponed_from" else "postponed_from"
            yield Finding(
                "W404",
                f'{entry.label} has "{present}" but no "{missing}"',
                (*entry.path, present),
                hint="a postponement records both the original due date and why",
            )


def _unresolved(entry: Entry, key: str) -> Finding:
    example = '"张伟"' if key == "owner" else "2023-10-31"
    if entry.index == 0:
        return Finding(
            "E102",
            f'[{entry.measure.key}] has no tasks, so it needs its own "{key}"',
            entry.path,
            hint=f"add {key} = {example} under [{entry.measure.key}], or add "
            f"[[{entry.measure.key}.tasks]]",
        )
    return Finding(
        "E102",
        f"{entry.label} has no {key}, and [{entry.measure.key}] gives none to inherit",
        entry.path,
        hint=f"add {key} = {example} to this task or to [{entry.measure.key}]",
    )
