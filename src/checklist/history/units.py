"""What the whole history says of each unit: when its file was last touched (stale units),
and which of its done dates were written long after the fact (补录, per county)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from checklist.history.blobs import Scope, Versions
from checklist.history.changes import credits
from checklist.history.diff import Kind, task_keys
from checklist.history.git import log
from checklist.model import Campaign, State, Unit
from checklist.status import items

_SETTLED = (State.DONE, State.DONE_LATE)


@dataclass(frozen=True, slots=True)
class StaleUnit:
    unit: Unit
    last: dt.date  # the day of the last commit that touched its file
    days: int  # since then, to the report day
    open: int  # tasks (occurrences) not done on the report day


@dataclass(frozen=True, slots=True)
class Backdated:
    """One county's done dates in the history: how many, how many back-dated, the worst."""

    county: str
    recorded: int  # done dates its units' files record, each credited to its first commit
    backdated: int  # of them, written more than the campaign's backdate_days after
    most_days: int | None  # the longest delay among the back-dated


def _specs(scope: Scope) -> list[str]:
    return list(scope.pathspecs) or ([scope.root] if scope.root else [])


def last_touched(scope: Scope) -> dict[str, dt.date]:
    """Each unit file's (path → day) of the last commit that touched it, renames followed."""
    found: dict[str, dt.date] = {}
    for commit in log(scope.repo, ["HEAD"], _specs(scope)):
        day = commit.day(scope.campaign.timezone)
        for touch in commit.touches:
            if touch.old_path is not None:
                found.pop(touch.old_path, None)
            if touch.status == "D":
                found.pop(touch.path, None)
            elif scope.is_unit_file(touch.path):
                found[touch.path] = day
    return found


def stale_units(
    units: Sequence[tuple[str, Unit]],
    touched: Mapping[str, dt.date],
    *,
    campaign: Campaign,
    as_of: dt.date,
    days: int,
) -> list[StaleUnit]:
    """Units (path, unit) with open tasks whose file no commit has touched for ``days`` days.

    A file never committed is not stale: it is new, and ``changes`` shows it as such.
    """
    found: list[StaleUnit] = []
    for path, unit in units:
        last = touched.get(path)
        if last is None or (as_of - last).days < days:
            continue
        still = sum(i.state not in _SETTLED for i in items([unit], campaign=campaign, as_of=as_of))
        if still:
            found.append(StaleUnit(unit, last, (as_of - last).days, still))
    order = {c.code: i for i, c in enumerate(campaign.counties)}
    found.sort(key=lambda s: (-s.days, order.get(s.unit.county, len(order)), s.unit.id))
    return found


def backdated_by_county(
    scope: Scope, versions: Versions, units: Sequence[tuple[str, Unit]]
) -> list[Backdated]:
    """Per county, the done dates of the units (path, unit) and the back-dated among them.

    Every version of every unit file is read: each done date is credited to the first
    commit that recorded it.
    """
    campaign = scope.campaign
    commits = log(scope.repo, ["HEAD"], _specs(scope))
    versions.load(
        (blob, path)
        for c in commits
        for t in c.touches
        for blob, path in ((t.old_blob, t.old_path or t.path), (t.new_blob, t.path))
        if scope.is_unit_file(path)
    )
    first = credits(scope, versions, commits, campaign.timezone, first=True)
    tally: dict[str, list[int]] = {c.code: [] for c in campaign.counties}
    recorded: dict[str, int] = dict.fromkeys(tally, 0)
    for path, unit in units:
        if unit.county not in tally:
            continue
        for key, task in task_keys(unit.tasks):
            for day in task.done:  # as the file has it now: reopened ones are not counted
                credit = first.get((path, Kind.DONE, key, day, None))
                if credit is None:  # uncommitted, or written in a merge
                    continue
                recorded[unit.county] += 1
                late = (credit.day - day).days
                if late > campaign.history.backdate_days:
                    tally[unit.county].append(late)
    return [
        Backdated(code, recorded[code], len(late), max(late, default=None))
        for code, late in tally.items()
    ]
