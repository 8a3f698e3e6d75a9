"""Record progress in a unit file, changing only the bytes that must change.

tomlkit keeps every comment, blank line, key order and quoting style of what
it parses, so an edit is: parse, change one value, write back. The result
must validate and the file must not have changed on disk meanwhile, or
nothing is written.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checklist.atomic import lock_path, locked, remove_temporaries, write_atomic
from checklist.errors import BusyError, EditError, UsageError
from checklist.load.check import check_unit
from checklist.load.discover import discover
from checklist.load.source import MAX_BYTES, SourceError, decode, display, read
from checklist.model import Campaign, Severity
from checklist.recur import RecurrenceError, task_dates
from checklist.splice import LayoutError, splice
from checklist.words import printable


@dataclass(frozen=True, slots=True)
class Edit:
    path: Path
    before: bytes
    after: bytes
    summary: str

    def diff(self) -> str:
        name = display(self.path)
        return "".join(
            difflib.unified_diff(
                self.before.decode("utf-8", "replace").splitlines(keepends=True),
                self.after.decode("utf-8", "replace").splitlines(keepends=True),
                fromfile=f"a/{name}",
                tofile=f"b/{name}",
            )
        )


def unit_ids(campaign: Campaign) -> dict[str, Path]:
    """Every unit id of the campaign and its file (the file name where no id is set)."""
    import tomllib

    from checklist.load.source import loads

    ids: dict[str, Path] = {}
    for path in discover([campaign.root], campaign):
        unit_id = path.stem
        try:
            table = loads(decode(read(path))).get("unit")
            if isinstance(table, dict) and isinstance(table.get("id"), str):
                unit_id = table["id"]
        except (SourceError, tomllib.TOMLDecodeError, RecursionError):
            pass  # validate says what is wrong with it; here it only has no id
        ids.setdefault(unit_id, path)
    return ids


def find_unit(campaign: Campaign, unit: str) -> Path:
    """A unit file by path, or by unit id anywhere in the campaign."""
    given = Path(unit)
    if given.suffix == ".toml" and given.is_file():
        return given
    ids = unit_ids(campaign)
    if unit in ids:
        return ids[unit]
    from checklist.words import did_you_mean

    guess = did_you_mean(unit, list(ids))
    hint = f'; did you mean "{guess}"?' if guess else ""
    raise UsageError(f"no unit {unit!r} in {display(campaign.root)}{hint}")


# Judging the file as it is, "done in the future" must not count: only its shape matters.
_NO_FUTURE = dt.date(2999, 12, 31)


def _load(path: Path, campaign: Campaign) -> tuple[bytes, Any]:
    """The file's bytes and its tomlkit document, only if the file is valid as it stands:
    the edit code may then rely on the schema (a table is a table) and never crash."""
    import tomlkit

    try:
        data = read(path)
    except SourceError as error:
        raise EditError(f"{display(path)}: {error.finding.message}") from None
    result = check_unit(data, file=display(path), campaign=campaign, today=_NO_FUTURE)
    errors = [p for p in result.problems if p.severity is Severity.ERROR]
    if errors:
        found = "; ".join(f"line {p.line}: {printable(p.message)}" for p in errors[:3])
        raise EditError(
            f"{display(path)} has problems already ({found}); nothing was written: "
            f"run `checklist validate {display(path)}` and fix them first"
        )
    text = decode(data)
    try:
        doc = tomlkit.parse(text)
    except Exception as error:  # tomlkit raises its own parse errors
        import tomllib

        try:
            tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            raise EditError(
                f"{display(path)} is not valid TOML ({error}); "
                f"run `checklist validate {display(path)}`"
            ) from None
        raise _unkept(path) from None  # valid TOML that tomlkit cannot read
    return data, doc


def _measure(doc: Any, campaign: Campaign, key: str) -> Any:
    measure = campaign.measure(key)
    if measure is None:
        from checklist.words import did_you_mean

        names = [m.key for m in campaign.measures] + [m.name for m in campaign.measures]
        guess = did_you_mean(key, names)
        hint = f'; did you mean "{guess}"?' if guess else ""
        raise UsageError(
            f"no measure {key!r}{hint} (measures: {', '.join(m.key for m in campaign.measures)})"
        )
    table = doc.get(measure.key)
    if table is None:
        raise EditError(f"the file has no [{measure.key}] table")
    return table


def _task(table: Any, measure: str, spec: str | None) -> Any:
    """The task a user named: 1-based index, task id, or a unique part of the title."""
    tasks = table.get("tasks")
    if not tasks:
        if spec is not None:
            raise UsageError(f"[{measure}] has no tasks; leave out TASK to edit the measure")
        return table
    listing = "\n".join(
        f"  {i}. {printable(str(t.get('title', '')))}" + (f"  (id {t['id']})" if "id" in t else "")
        for i, t in enumerate(tasks, 1)
    )
    if spec is None:
        raise UsageError(
            f"[{measure}] has {len(tasks)} tasks; name one by number, id or title:\n{listing}"
        )
    if spec.isdigit():
        if 1 <= int(spec) <= len(tasks):
            return tasks[int(spec) - 1]
        raise UsageError(f"[{measure}] has no task {spec}:\n{listing}")
    by_id = [t for t in tasks if t.get("id") == spec]
    if by_id:
        return by_id[0]
    found = [t for t in tasks if spec in str(t.get("title", ""))]
    if len(found) == 1:
        return found[0]
    what = "matches several tasks" if found else "matches no task"
    raise UsageError(f"{spec!r} {what} of [{measure}]:\n{listing}")


def _title(task: Any, measure: str) -> str:
    return str(task.get("title", f"[{measure}]"))


def _due(task: Any, table: Any) -> dt.date:
    due = task.get("due", table.get("due"))
    if not isinstance(due, dt.date):
        raise EditError("the task has no due date to work from; fill it in first")
    return dt.date(due.year, due.month, due.day)


def _dates(value: Any) -> list[dt.date]:
    if value is None:
        return []
    values = list(value) if isinstance(value, list) else [value]
    return [dt.date(v.year, v.month, v.day) for v in values]


def _set(table: Any, key: str, value: Any) -> None:
    """Set ``key``, adding a new key right after the table's last one.

    tomlkit appends new keys at the very end of a table, after the blank
    lines and comments that introduce the next table; placed there, a comment
    would seem to describe the new key. ``_insert_after`` is tomlkit's own
    (private) way to place it; without it, plain assignment still writes a
    correct file.
    """
    if key in table:
        table[key] = value
        return
    container: Any = getattr(table, "value", None)
    keys = [k.key for k, _ in getattr(container, "body", ()) if k is not None]
    if keys and hasattr(container, "_insert_after"):
        container._insert_after(keys[-1], key, value)
    else:
        table[key] = value


def _append_done(target: Any, day: dt.date) -> None:
    """Add a done date to a repeating task, in the list as written (one line or several)."""
    import tomlkit

    current = target.get("done")
    if isinstance(current, list):
        current.append(day)
        return
    array = tomlkit.array()
    array.extend([*_dates(current), day])
    _set(target, "done", array)


def mark_done(
    path: Path, *, campaign: Campaign, measure: str, task: str | None, on: dt.date
) -> Edit:
    """Mark a task (or the measure, or the next open occurrence) done on ``on``."""
    before, doc = _load(path, campaign)
    table = _measure(doc, campaign, measure)
    target = _task(table, measure, task)
    title = _title(target, measure)
    repeat = target.get("repeat")
    if repeat is None:
        if "done" in target:
            raise EditError(
                f"{title!r} is already done ({target['done']}); "
                "`checklist reopen` it first to change the day"
            )
        _set(target, "done", on)
        summary = f"{title}: done on {on}"
    else:
        done = _dates(target.get("done"))
        until = target.get("until")
        until = until if isinstance(until, dt.date) else None  # a date-time counts as its day
        try:
            dates = task_dates(str(repeat), due=_due(target, table), until=until, campaign=campaign)
            count = len(dates)
        except RecurrenceError as error:
            raise EditError(
                f"{title!r} repeats by a rule that cannot be used ({error}); "
                f"run `checklist validate {display(path)}`"
            ) from None
        if len(done) >= count:
            raise EditError(f"all {count} occurrences of {title!r} are done already")
        _append_done(target, on)
        summary = f"{title}: occurrence {len(done) + 1} of {count} done on {on}"
    return Edit(path, before, _encode(doc, before, path), summary)


def reopen(path: Path, *, campaign: Campaign, measure: str, task: str | None) -> Edit:
    """Undo ``done``: the task is open again (for a repeating task, its last occurrence)."""
    before, doc = _load(path, campaign)
    table = _measure(doc, campaign, measure)
    target = _task(table, measure, task)
    title = _title(target, measure)
    done = _dates(target.get("done"))
    if not done:
        raise EditError(f"{title!r} is not done")
    if target.get("repeat") is None or len(done) == 1:
        del target["done"]
        summary = f"{title}: open again"
    else:
        del target["done"][-1]
        summary = f"{title}: occurrence {len(done)} open again"
    return Edit(path, before, _encode(doc, before, path), summary)


def postpone(
    path: Path, *, campaign: Campaign, measure: str, task: str | None, to: dt.date, reason: str
) -> Edit:
    """Move a due date, keeping the original date and the reason in the file."""
    before, doc = _load(path, campaign)
    table = _measure(doc, campaign, measure)
    target = _task(table, measure, task)
    title = _title(target, measure)
    if not reason.strip():
        raise UsageError("--reason must say why the due date moves")
    if target.get("repeat") is not None:
        raise EditError(
            f"{title!r} repeats: its dates come from its rule; change its due, "
            "repeat or until instead"
        )
    if "done" in target:
        raise EditError(f"{title!r} is already done; a done task is not postponed")
    due = _due(target, table)
    if to <= due:
        raise EditError(f"{to} is not later than the due date {due}")
    _set(target, "due", to)
    if "postponed_from" not in target:  # the first original date is the one the office reports
        _set(target, "postponed_from", due)
        _set(target, "postpone_reason", reason)
    else:
        earlier = str(target.get("postpone_reason", "")).strip()
        target["postpone_reason"] = f"{earlier}; {reason}" if earlier else reason
    return Edit(path, before, _encode(doc, before, path), f"{title}: due {due} → {to}")


def _encode(doc: Any, before: bytes, path: Path) -> bytes:
    """The file's own bytes with the edit spliced in: nothing else may change."""
    text = decode(before)
    try:
        data = splice(text, doc.as_string()).encode("utf-8")
    except LayoutError:
        raise _unkept(path) from None
    bom = b"\xef\xbb\xbf"
    return bom + data if before.startswith(bom) else data


def _unkept(path: Path) -> EditError:
    return EditError(
        f"checklist cannot make this edit in {display(path)} without changing lines it "
        "does not concern (tomlkit cannot keep this file's layout); nothing was written, "
        "make the change in an editor"
    )


@contextlib.contextmanager
def editing(path: Path) -> Iterator[None]:
    """Hold the file's edit lock from reading it to writing it.

    Without it, two commands could both read the file, and the second write would
    silently drop the first one's edit. Busy is exit 2: nothing is wrong with the file.
    """
    real = Path(os.path.realpath(path))
    try:
        with locked(real):
            yield
    except BlockingIOError:
        raise BusyError(
            f"{display(path)} is busy: another checklist command is editing it; try again"
        ) from None
    except OSError as error:  # the lock file cannot be made: neither could the new file
        raise EditError(
            f"cannot write {display(path)}: cannot create its lock file "
            f"{lock_path(real).name} ({error.strerror or error}); the file is unchanged"
        ) from None


def check(edit: Edit, *, campaign: Campaign, today: dt.date) -> None:
    """Refuse (EditError) an edit that must not be written; a dry run asks the same."""
    result = check_unit(edit.after, file=display(edit.path), campaign=campaign, today=today)
    errors = [p for p in result.problems if p.severity is Severity.ERROR]
    if errors:
        found = "; ".join(f"line {p.line}: {p.message}" for p in errors[:5])
        raise EditError(
            f"the edit would leave {display(edit.path)} invalid ({found}); nothing was written"
        )
    if len(edit.after) > MAX_BYTES:
        raise EditError(
            f"the edit would make {display(edit.path)} larger than {MAX_BYTES // 1024} KiB, "
            "the most a unit file may hold; nothing was written"
        )
    real = Path(os.path.realpath(edit.path))
    if not os.access(real, os.W_OK):
        raise EditError(f"{display(edit.path)} is read-only; nothing was written")
    if not os.access(real.parent, os.W_OK | os.X_OK):
        raise EditError(
            f"cannot write {display(edit.path)}: its folder is read-only; the file is unchanged"
        )


def apply(edit: Edit, *, campaign: Campaign, today: dt.date) -> None:
    """Write the edit if it passes ``check`` and the file is as it was read.

    Call it inside ``editing``. A symbolic link stays a link: its target is written.
    """
    check(edit, campaign=campaign, today=today)
    try:
        current = read(edit.path)
    except SourceError as error:
        raise EditError(f"{display(edit.path)}: {error.finding.message}") from None
    if current != edit.before:
        raise EditError(
            f"{display(edit.path)} changed while checklist was editing it; "
            "nothing was written, run the command again"
        )
    real = Path(os.path.realpath(edit.path))
    remove_temporaries(real)
    try:
        write_atomic(real, edit.after)
    except OSError as error:
        raise EditError(
            f"cannot write {display(edit.path)}: {error.strerror or error}; the file is unchanged"
        ) from None
