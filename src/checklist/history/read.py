"""The history commands' one entry each: the repository opened, the points resolved, read."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from checklist.history.blobs import Versions, scope_of
from checklist.history.changes import Changes, changes
from checklist.history.git import HistoryError, Repo, open_repo, resolve
from checklist.history.milestones import MilestoneRow, arrivals, standings
from checklist.history.points import point
from checklist.history.units import (
    Backdated,
    StaleUnit,
    backdated_by_county,
    last_touched,
    stale_units,
)
from checklist.model import Campaign, Unit


def report_day(as_of: str | None, campaign: Campaign) -> dt.date:
    """--as-of, else $CHECKLIST_AS_OF, else today in the campaign's time zone."""
    from checklist import dates

    return dates.as_of(as_of, timezone=campaign.timezone)


def read_changes(
    paths: Sequence[Path],
    *,
    campaign: Campaign,
    since: str,
    until: str | None,
    as_of: str | None = None,
    backdate_days: int | None = None,
) -> Changes:
    """What changed in the unit files under ``paths`` from ``since`` to ``until`` (else now)."""
    from checklist import dates

    day = report_day(as_of, campaign)
    repo = open_repo(paths[0] if paths else campaign.root)
    scope = scope_of(repo, campaign, paths)
    head = resolve(repo, "HEAD")
    if head is None:
        raise HistoryError.said("history.no_commits", folder=str(repo.top))
    tz = campaign.timezone
    end, found_day = head, None
    if until is not None:
        found = point(repo, until, option="--until", today=day, timezone=tz, end_of_day=True)
        if found.commit is None:
            raise HistoryError.said("history.bad_point", option="--until", text=until)
        end, found_day = found.commit, found.day
    start = point(repo, since, option="--since", today=day, timezone=tz, end_of_day=False, line=end)
    versions = Versions(scope, max(dates.today(tz), day))
    result = changes(
        scope,
        versions,
        since=start.commit,
        until=end,
        worktree=until is None,
        backdate_days=campaign.history.backdate_days if backdate_days is None else backdate_days,
    )
    last = day if until is None else found_day
    return dataclasses.replace(result, since_day=start.day, until_day=last)


def read_milestones(
    paths: Sequence[Path], *, campaign: Campaign, units: Sequence[Unit]
) -> list[MilestoneRow]:
    """Each milestone, county by county, against the units' first commits (and done dates)."""
    from checklist import dates

    repo = open_repo(paths[0] if paths else campaign.root)
    scope = scope_of(repo, campaign, paths)
    versions = Versions(scope, dates.today(campaign.timezone))
    started = any(m.expect == "started" for m in campaign.milestones)
    arrived = arrivals(scope, versions, started=started)
    return standings(campaign, [(unit, arrived.get(path)) for path, unit in _paired(repo, units)])


def _paired(repo: Repo, units: Sequence[Unit]) -> list[tuple[str, Unit]]:
    """Each unit with its file's path in the repository."""
    return [(repo.relative(Path(unit.file).absolute()), unit) for unit in units]


def read_stale(
    paths: Sequence[Path], *, campaign: Campaign, units: Sequence[Unit], as_of: dt.date, days: int
) -> list[StaleUnit]:
    """Units with open tasks whose file no commit has touched for ``days`` days."""
    repo = open_repo(paths[0] if paths else campaign.root)
    touched = last_touched(scope_of(repo, campaign, paths))
    return stale_units(_paired(repo, units), touched, campaign=campaign, as_of=as_of, days=days)


def read_backdated(
    paths: Sequence[Path], *, campaign: Campaign, units: Sequence[Unit]
) -> list[Backdated]:
    """Per county: done dates recorded, and how many were back-dated (补录)."""
    from checklist import dates

    repo = open_repo(paths[0] if paths else campaign.root)
    scope = scope_of(repo, campaign, paths)
    versions = Versions(scope, dates.today(campaign.timezone))
    return backdated_by_county(scope, versions, _paired(repo, units))
