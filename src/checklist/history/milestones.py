"""Milestones met, late or missed (迟报/缺报): each unit's submission day from its first commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from checklist.history.blobs import Scope, Versions
from checklist.history.git import EMPTY, log
from checklist.model import Campaign, Milestone, Unit


@dataclass(frozen=True, slots=True)
class Arrival:
    """When a unit file arrived in the history, and when it first recorded a done task."""

    submitted: dt.date | None  # None: never committed
    started: dt.date | None  # None: no done date committed yet


@dataclass(frozen=True, slots=True)
class MilestoneRow:
    milestone: Milestone
    county: str
    expected: int | None  # units that should meet it; None when nobody said
    met: int
    late: tuple[tuple[str, int], ...]  # (unit id, days late), most late first
    pending: tuple[str, ...]  # units here that have not met it at all yet

    @property
    def missing(self) -> int | None:
        """Units expected that have not met it, nor even arrived late."""
        if self.expected is None:
            return len(self.pending)
        return max(self.expected - self.met - len(self.late), 0)


def arrivals(scope: Scope, versions: Versions, *, started: bool) -> dict[str, Arrival]:
    """Each unit file's (path → arrival) over the whole history, renames followed.

    The day a file first held a done date is read only with ``started``: it means checking
    every version of every file, where the submission day needs the commits alone.
    """
    specs = list(scope.pathspecs) or ([scope.root] if scope.root else [])
    commits = log(scope.repo, ["HEAD"], specs)
    if started:
        versions.load(
            (t.new_blob, t.path)
            for c in commits
            for t in c.touches
            if t.new_blob != EMPTY and scope.is_unit_file(t.path)
        )
    found: dict[str, Arrival] = {}
    for commit in commits:
        day = commit.day(scope.campaign.timezone)
        for touch in commit.touches:
            if not scope.is_unit_file(touch.path) and touch.status != "D":
                continue
            _arrive(found, touch.path, touch.old_path, touch.status, day)
            if started and touch.new_blob != EMPTY and found.get(touch.path):
                _start(found, touch.path, versions.unit(touch.new_blob, touch.path), day)
    return found


def _arrive(
    found: dict[str, Arrival], path: str, old: str | None, status: str, day: dt.date
) -> None:
    if status == "D":
        found.pop(path, None)
    elif old is not None and old in found:
        found[path] = found.pop(old)
    elif path not in found:
        found[path] = Arrival(day, None)


def _start(found: dict[str, Arrival], path: str, unit: Unit | None, day: dt.date) -> None:
    arrival = found[path]
    if arrival.started is None and unit is not None and any(t.done for t in unit.tasks):
        found[path] = Arrival(arrival.submitted, day)


def standings(
    campaign: Campaign, units: Sequence[tuple[Unit, Arrival | None]]
) -> list[MilestoneRow]:
    """For each milestone and county: units that met it, that met it late, that have not."""
    rows: list[MilestoneRow] = []
    for milestone in campaign.milestones:
        for county in campaign.counties:
            if milestone.counties and county.code not in milestone.counties:
                continue
            expected = milestone.expected_units
            if expected is None and milestone.level is None:
                expected = county.expected_units
            rows.append(_row(milestone, county.code, expected, units))
    return rows


def _row(
    milestone: Milestone,
    county: str,
    expected: int | None,
    units: Iterable[tuple[Unit, Arrival | None]],
) -> MilestoneRow:
    met, late, pending = 0, [], []
    for unit, arrival in units:
        if unit.county != county or (milestone.level and unit.level is not milestone.level):
            continue
        day = None
        if arrival is not None:
            day = arrival.started if milestone.expect == "started" else arrival.submitted
        if day is not None and day <= milestone.date:
            met += 1
        elif day is not None:
            late.append((unit.id, (day - milestone.date).days))
        else:
            pending.append(unit.id)
    late.sort(key=lambda pair: (-pair[1], pair[0]))
    return MilestoneRow(milestone, county, expected, met, tuple(late), tuple(sorted(pending)))
