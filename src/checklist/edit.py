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
from checklist.edit_due import set_due, written_due
from checklist.errors import BusyError, EditError, UsageError, write_reason_zh
from checklist.load.check import check_unit
from checklist.load.source import MAX_BYTES, SourceError, decode, display, read
from checklist.model import Campaign, Severity
from checklist.recur import RecurrenceError, task_dates
from checklist.splice import LayoutError, splice
from checklist.target import measure_table, named, pick_task
from checklist.words import printable, quote


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


# Judging the file as it is, "done in the future" must not count: only its shape matters.
_NO_FUTURE = dt.date(2999, 12, 31)


def _load(path: Path, campaign: Campaign) -> tuple[bytes, Any]:
    """The file's bytes and its tomlkit document, only if the file is valid as it stands:
    the edit code may then rely on the schema (a table is a table) and never crash."""
    import tomlkit

    try:
        data = read(path)
    except SourceError as error:
        raise _unreadable(path, error) from None
    result = check_unit(data, file=display(path), campaign=campaign, today=_NO_FUTURE)
    errors = [p for p in result.problems if p.severity is Severity.ERROR]
    if errors:
        found = "; ".join(f"line {p.line}: {printable(p.message)}" for p in errors[:3])
        raise EditError(
            f"{display(path)} has problems already ({found}); nothing was written: "
            f"run `checklist validate {display(path)}` and fix them first",
            zh=f"{display(path)} 本来就有问题({_found_zh(errors[:3])}),这次什么也没改:"
            f"请先运行 `checklist validate {display(path)}`,把问题改好",
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
                f"run `checklist validate {display(path)}`",
                zh=f"{display(path)} 的写法有错,读不懂({error});"
                f"请运行 `checklist validate {display(path)}` 查看哪里错了",
            ) from None
        raise _unkept(path) from None  # valid TOML that tomlkit cannot read
    return data, doc


def _found_zh(problems: list[Any]) -> str:
    """The problems a refusal names, for a clerk: 第 3 行:…;第 5 行:…."""
    return ";".join(f"第 {p.line} 行:{printable(p.message_zh or p.message)}" for p in problems)


def _title(task: Any, measure: str) -> str:
    return str(task.get("title", f"[{measure}]"))


def _due(task: Any, table: Any, campaign: Campaign) -> dt.date:
    due = written_due(task, table, campaign)
    if due is None:
        raise EditError(
            "the task has no due date to work from; fill it in first",
            zh="这项任务没有截止日期,无从推算;请先填上,例如 due = 2023-10-31",
        )
    return due


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
    table = measure_table(doc, campaign, measure)
    target = pick_task(table, measure, task, named=named(campaign, measure))
    title = _title(target, measure)
    repeat = target.get("repeat")
    if repeat is None:
        if "done" in target:
            raise EditError(
                f"{title!r} is already done ({target['done']}); "
                "`checklist reopen` it first to change the day",
                zh=f"{_q(title)} 已经标记完成了(完成日期 {target['done']});"
                "要改完成日期,请先用 `checklist reopen` 撤销完成",
            )
        _set(target, "done", on)
        summary = f"{title}: done on {on}"
    else:
        done = _dates(target.get("done"))
        until = target.get("until")
        until = until if isinstance(until, dt.date) else None  # a date-time counts as its day
        try:
            shift = str(target.get("shift", table.get("shift", "none")))
            due = _due(target, table, campaign)
            dates = task_dates(str(repeat), due=due, until=until, campaign=campaign, shift=shift)
            count = len(dates)
        except RecurrenceError as error:
            raise EditError(
                f"{title!r} repeats by a rule that cannot be used ({error}); "
                f"run `checklist validate {display(path)}`",
                zh=f"{_q(title)} 的重复规则(repeat)用不了({error.zh});"
                f"请运行 `checklist validate {display(path)}` 查看",
            ) from None
        if len(done) >= count:
            raise EditError(
                f"all {count} occurrences of {title!r} are done already",
                zh=f"{_q(title)} 一共 {count} 次,已经全部完成了",
            )
        _append_done(target, on)
        summary = f"{title}: occurrence {len(done) + 1} of {count} done on {on}"
    return Edit(path, before, _encode(doc, before, path), summary)


def reopen(path: Path, *, campaign: Campaign, measure: str, task: str | None) -> Edit:
    """Undo ``done``: the task is open again (for a repeating task, its last occurrence)."""
    before, doc = _load(path, campaign)
    table = measure_table(doc, campaign, measure)
    target = pick_task(table, measure, task, named=named(campaign, measure))
    title = _title(target, measure)
    done = _dates(target.get("done"))
    if not done:
        raise EditError(f"{title!r} is not done", zh=f"{_q(title)} 还没有标记完成,不用撤销")
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
    table = measure_table(doc, campaign, measure)
    target = pick_task(table, measure, task, named=named(campaign, measure))
    title = _title(target, measure)
    if not reason.strip():
        raise UsageError(
            "--reason must say why the due date moves",
            zh="--reason 要写明延期的原因,例如 --reason 经研究调整",
        )
    if target.get("repeat") is not None:
        raise EditError(
            f"{title!r} repeats: its dates come from its rule; change its due, "
            "repeat or until instead",
            zh=f"{_q(title)} 是重复任务,日期是按重复规则算出来的,不能单独延期;"
            "请改它的 due、repeat 或 until",
        )
    if "done" in target:
        raise EditError(
            f"{title!r} is already done; a done task is not postponed",
            zh=f"{_q(title)} 已经完成了,完成的任务不用延期",
        )
    due = _due(target, table, campaign)
    if to <= due:
        raise EditError(
            f"{to} is not later than the due date {due}",
            zh=f"新日期 {to} 不晚于原来的截止日期 {due};延期要往后推",
        )
    set_due(target, to, _set)  # due_workdays with from becomes a plain due
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
        "make the change in an editor",
        zh=f"checklist 没法只改 {display(path)} 里的这一处而不动别的行"
        "(tomlkit 保不住这个文件的排版),所以什么也没改;请用编辑器手动修改",
    )


def _unreadable(path: Path, error: SourceError) -> EditError:
    finding = error.finding
    return EditError(
        f"{display(path)}: {finding.message}",
        zh=f"{display(path)}:{finding.zh or finding.message}",
    )


def _q(title: str) -> str:
    """A task's title quoted for a Chinese message, as ``quote`` makes it safe."""
    return quote(title, 80)


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
            f"{display(path)} is busy: another checklist command is editing it; try again",
            zh=f"另一个 checklist 命令正在修改 {display(path)};请稍等一会儿再试",
        ) from None
    except OSError as error:  # the lock file cannot be made: neither could the new file
        raise EditError(
            f"cannot write {display(path)}: cannot create its lock file "
            f"{lock_path(real).name} ({error.strerror or error}); the file is unchanged",
            zh=f"无法写入 {display(path)}:建不了它的锁文件 {lock_path(real).name}"
            f"({write_reason_zh(error)});文件没有改动",
        ) from None


def check(edit: Edit, *, campaign: Campaign, today: dt.date) -> None:
    """Refuse (EditError) an edit that must not be written; a dry run asks the same."""
    result = check_unit(edit.after, file=display(edit.path), campaign=campaign, today=today)
    errors = [p for p in result.problems if p.severity is Severity.ERROR]
    if errors:
        found = "; ".join(f"line {p.line}: {p.message}" for p in errors[:5])
        raise EditError(
            f"the edit would leave {display(edit.path)} invalid ({found}); nothing was written",
            zh=f"这样改完,{display(edit.path)} 会出错({_found_zh(errors[:5])}),所以什么也没改",
        )
    if len(edit.after) > MAX_BYTES:
        raise EditError(
            f"the edit would make {display(edit.path)} larger than {MAX_BYTES // 1024} KiB, "
            "the most a unit file may hold; nothing was written",
            zh=f"这样改完,{display(edit.path)} 会超过 {MAX_BYTES // 1024} KiB"
            "(一个单位清单文件最大只能这么大),所以什么也没改",
        )
    real = Path(os.path.realpath(edit.path))
    if not os.access(real, os.W_OK):
        raise EditError(
            f"{display(edit.path)} is read-only; nothing was written",
            zh=f"{display(edit.path)} 是只读文件,改不了;什么也没改",
        )
    if not os.access(real.parent, os.W_OK | os.X_OK):
        raise EditError(
            f"cannot write {display(edit.path)}: its folder is read-only; the file is unchanged",
            zh=f"无法写入 {display(edit.path)}:它所在的文件夹是只读的;文件没有改动",
        )


def apply(edit: Edit, *, campaign: Campaign, today: dt.date) -> None:
    """Write the edit if it passes ``check`` and the file is as it was read.

    Call it inside ``editing``. A symbolic link stays a link: its target is written.
    """
    check(edit, campaign=campaign, today=today)
    try:
        current = read(edit.path)
    except SourceError as error:
        raise _unreadable(edit.path, error) from None
    if current != edit.before:
        raise EditError(
            f"{display(edit.path)} changed while checklist was editing it; "
            "nothing was written, run the command again",
            zh=f"checklist 修改期间,{display(edit.path)} 被别处改动了;"
            "这次什么也没改,请重新运行一遍命令",
        )
    real = Path(os.path.realpath(edit.path))
    remove_temporaries(real)
    try:
        write_atomic(real, edit.after)
    except OSError as error:
        raise EditError(
            f"cannot write {display(edit.path)}: {error.strerror or error}; the file is unchanged",
            zh=f"无法写入 {display(edit.path)}:{write_reason_zh(error)};文件没有改动",
        ) from None
