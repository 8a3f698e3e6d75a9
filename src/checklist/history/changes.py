"""What changed between two points of the history, unit by unit, each change credited to a commit.

The net change is the difference between the two commits' files (a file broken and
fixed between them changes nothing); which commit made each part of it, and when, comes
from walking the commits between them, each compared with its own parent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from checklist.history.blobs import Scope, Versions
from checklist.history.diff import ORDER, Edit, Kind, diff_units
from checklist.history.git import EMPTY, Commit, Touch, compare, log, tree, uncommitted
from checklist.load.result import UnitResult
from checklist.model import Severity, Unit

DEFAULT_BACKDATE_DAYS = 3

EditKey = tuple[object, ...]


@dataclass(frozen=True, slots=True)
class Credit:
    """Who made a change, and when."""

    commit: str
    author: str
    day: dt.date  # the commit's day in the campaign's time zone


@dataclass(frozen=True, slots=True)
class Change:
    """One change to one unit, with the commit that made it (None: uncommitted, or a merge's)."""

    edit: Edit
    unit: str  # the unit's id
    unit_name: str
    county: str
    file: str
    path: str  # the file's path in the repository
    credit: Credit | None = None
    uncommitted: bool = False
    was_file: str | None = None  # a renamed unit's file before
    backdated: int | None = None  # a done date this many days before the commit that wrote it
    problems: int = 0  # a broken file's errors


@dataclass(frozen=True, slots=True)
class Changes:
    since: str | None  # the commit compared from (None: before the first)
    until: str
    worktree: bool  # uncommitted changes included
    changes: tuple[Change, ...]
    backdate_days: int
    # The days the points name (None: a commit was named); milestones between are shown.
    since_day: dt.date | None = None
    until_day: dt.date | None = None


def changes(
    scope: Scope,
    versions: Versions,
    *,
    since: str | None,
    until: str,
    worktree: bool,
    backdate_days: int = DEFAULT_BACKDATE_DAYS,
) -> Changes:
    """Every change to the unit files from ``since`` to ``until`` (and the working copy)."""
    repo, timezone = scope.repo, scope.campaign.timezone
    specs = list(scope.pathspecs) or ([scope.root] if scope.root else [])
    net = [t for t in compare(repo, since, until, specs) if _ours(scope, t)]
    commits = log(repo, [f"{since}..{until}" if since else until], specs)
    versions.load(_wanted(net))
    versions.load(w for c in commits for w in _wanted(t for t in c.touches if _ours(scope, t)))
    made = credits(scope, versions, commits, timezone)
    found: list[Change] = []
    for touch in net:
        for change in _net_changes(versions, touch):
            key = (change.path, *_key(change.edit))
            credit = made.get(key)
            found.append(_backdated(replace(change, credit=credit), backdate_days))
    if worktree:
        found.extend(_working(scope, versions, until, specs))
    order = {c.code: i for i, c in enumerate(scope.campaign.counties)}
    found.sort(key=lambda c: (order.get(c.county, len(order)), c.unit, ORDER[c.edit.kind]))
    return Changes(since, until, worktree, tuple(found), backdate_days)


def _ours(scope: Scope, touch: Touch) -> bool:
    return scope.is_unit_file(touch.path) or (
        touch.old_path is not None and scope.is_unit_file(touch.old_path)
    )


def _wanted(touches: Iterable[Touch]) -> Iterable[tuple[str, str]]:
    for touch in touches:
        yield touch.old_blob, touch.old_path or touch.path
        yield touch.new_blob, touch.path


def _key(edit: Edit) -> EditKey:
    return (edit.kind, edit.task, edit.day, edit.before)


def credits(
    scope: Scope,
    versions: Versions,
    commits: list[Commit],
    timezone: str | None,
    *,
    first: bool = False,
) -> dict[EditKey, Credit]:
    """The last (``first``: the first) commit to make each edit, keyed by the file's path
    after its last rename, then the edit (kind, task, day, before)."""
    made: dict[str, dict[EditKey, Credit]] = {}
    good: dict[str, Unit] = {}  # the last version of each file that checked
    for commit in commits:
        credit = Credit(commit.sha, commit.author, commit.day(timezone))
        for touch in commit.touches:
            if not _ours(scope, touch):
                continue
            before = touch.old_path or touch.path
            old = versions.unit(touch.old_blob, before)
            new = versions.unit(touch.new_blob, touch.path)
            if touch.old_path is not None:
                if not same_unit(old, new):  # another unit in its place: one gone, one new
                    gone = made.setdefault(touch.old_path, {})
                    gone[_key(Edit(Kind.UNIT_REMOVED))] = credit
                    old = None
                else:
                    made[touch.path] = made.pop(touch.old_path, {})
                    if touch.old_path in good:
                        good[touch.path] = good.pop(touch.old_path)
            elif old is None and touch.old_blob != EMPTY:
                old = good.get(touch.path)  # broken before: compared with the last good version
            if new is None and touch.new_blob != EMPTY:
                if old is not None:  # broken: its edits are credited to the commit that fixes it
                    good[touch.path] = old
                made.setdefault(touch.path, {})[_key(Edit(Kind.BROKEN))] = credit
                continue
            if touch.old_blob != EMPTY and versions.unit(touch.old_blob, before) is None:
                made.setdefault(touch.path, {})[_key(Edit(Kind.FIXED))] = credit
            for edit in diff_units(old, new):
                edits = made.setdefault(touch.path, {})
                if not first or _key(edit) not in edits:
                    edits[_key(edit)] = credit
            if new is not None:
                good[touch.path] = new
    return {(path, *key): credit for path, edits in made.items() for key, credit in edits.items()}


def same_unit(old: Unit | None, new: Unit | None) -> bool:
    """Whether a file git saw renamed still holds the same unit (its id or its name kept).

    Unit files are alike enough for git to pair two different units' files as a rename.
    """
    return old is None or new is None or old.id == new.id or old.name == new.name


def _net_changes(versions: Versions, touch: Touch) -> list[Change]:
    old = versions.result(touch.old_blob, touch.old_path or touch.path)
    new = versions.result(touch.new_blob, touch.path)
    if touch.old_path is not None and not same_unit(
        old.unit if old else None, new.unit if new else None
    ):
        gone = Touch("D", touch.old_blob, EMPTY, touch.old_path)
        came = Touch("A", EMPTY, touch.new_blob, touch.path)
        return [*_net_changes(versions, gone), *_net_changes(versions, came)]
    return _between(old, new, versions, touch)


def _between(
    old: UnitResult | None, new: UnitResult | None, versions: Versions, touch: Touch
) -> list[Change]:
    """The changes from one version of a file to another (None: no file)."""
    file = (touch.path, versions.file(touch.path))
    before = old.unit if old is not None else None
    if new is not None and new.unit is None:
        errors = sum(p.severity is Severity.ERROR for p in new.problems)
        return [_change(Edit(Kind.BROKEN), before, new.unit_id, file, problems=errors)]
    unit = new.unit if new is not None else None
    if old is not None and before is None:  # broken before, checks now
        return [_change(Edit(Kind.FIXED), unit, None, file)]
    shown = unit or before
    found = [_change(edit, shown, None, file) for edit in diff_units(before, unit)]
    if touch.status == "R" and touch.old_path is not None:
        was = versions.file(touch.old_path)
        found.insert(0, _change(Edit(Kind.RENAMED), shown, None, file, was_file=was))
    return found


def _change(
    edit: Edit,
    unit: Unit | None,
    unit_id: str | None,
    file: tuple[str, str],
    *,
    problems: int = 0,
    was_file: str | None = None,
) -> Change:
    """``file``: the path in the repository, and as the report names it."""
    path, shown = file
    name = unit.id if unit else (unit_id or Path(path).stem)
    return Change(
        edit,
        name,
        unit.name if unit else name,
        unit.county if unit else "",
        shown,
        path,
        problems=problems,
        was_file=was_file,
    )


def _backdated(change: Change, days: int) -> Change:
    """Flag a done date written more than ``days`` days after it."""
    edit, credit = change.edit, change.credit
    if edit.kind is not Kind.DONE or edit.day is None or credit is None:
        return change
    late = (credit.day - edit.day).days
    return replace(change, backdated=late) if late > days else change


def _working(scope: Scope, versions: Versions, until: str, specs: list[str]) -> list[Change]:
    """The working copy's changes to the unit files, against ``until``."""
    paths = [p for p in uncommitted(scope.repo, specs) if scope.is_unit_file(p)]
    if not paths:
        return []
    committed = tree(scope.repo, until, paths)
    versions.load((blob, path) for path, blob in committed.items())
    found: list[Change] = []
    for path in sorted(set(paths)):
        old = versions.result(committed.get(path, EMPTY), path)
        on_disk = scope.repo.top / path
        new = versions.check_bytes(on_disk.read_bytes(), path) if on_disk.is_file() else None
        touch = Touch("M", committed.get(path, EMPTY), EMPTY, path)
        for change in _between(old, new, versions, touch):
            found.append(replace(change, uncommitted=True))
    return found
