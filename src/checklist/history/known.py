"""The plan as it stood: the unit files (and campaign.toml) as committed on a day."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from checklist.history.blobs import Versions, scope_of
from checklist.history.git import (
    HistoryError,
    Repo,
    commit_before,
    open_repo,
    read_blobs,
    tree,
    uncommitted,
)
from checklist.history.points import start_of
from checklist.load.campaign import CONFIG_NAME, load_campaign
from checklist.load.result import UnitResult
from checklist.model import Campaign, Unit

if TYPE_CHECKING:
    from checklist.load.store import Store


@dataclass(frozen=True, slots=True)
class Known:
    """What the repository held at the end of a day."""

    commit: str
    campaign: Campaign  # campaign.toml as committed then (today's if there was none)
    units: tuple[Unit, ...]
    skipped: int  # files that did not check then


def as_known(
    paths: Sequence[Path],
    *,
    campaign: Campaign,
    day: dt.date,
    today: dt.date,
    cache: Callable[[], Store | None] | None = None,
) -> Known:
    """The units under ``paths`` as the last commit of ``day`` (HEAD's line) held them.

    Files that have not changed since (nor in the working copy) are today's files, read
    through ``cache`` (the store of ``validate``) when campaign.toml has not changed
    either; the others are checked from their blobs. Then, as on a checkout, across files.
    """
    repo = open_repo(paths[0] if paths else campaign.root)
    moment = start_of(day + dt.timedelta(days=1), campaign.timezone)
    commit = commit_before(repo, moment)
    if commit is None:
        raise HistoryError.said("history.before_first", day=day.isoformat())
    then = _campaign_then(campaign, repo.relative(campaign.config_path), repo, commit)
    scope = scope_of(repo, then, paths)
    specs = list(scope.pathspecs) or ([scope.root] if scope.root else [])
    files = {p: b for p, b in tree(repo, commit, specs).items() if scope.is_unit_file(p)}
    same: set[str] = set()
    if cache is not None and then == campaign:
        now = tree(repo, "HEAD", specs)
        edited = set(uncommitted(repo, specs))
        same = {p for p, b in files.items() if now.get(p) == b and p not in edited}
    results = dict(_from_disk(repo, sorted(same), then, max(today, day), cache))
    versions = Versions(scope, max(today, day))
    versions.load((blob, path) for path, blob in files.items() if path not in results)
    for path, blob in files.items():
        if path not in results:
            results[path] = versions.found[blob, path]
    checked = _across([results[p] for p in sorted(files)])
    units = tuple(r.unit for r in checked if r.unit is not None)
    return Known(commit, then, units, len(checked) - len(units))


def _from_disk(
    repo: Repo,
    paths: list[str],
    campaign: Campaign,
    today: dt.date,
    cache: Callable[[], Store | None] | None,
) -> Iterator[tuple[str, UnitResult]]:
    """Today's files, unchanged since: as ``validate`` checks them, its store included."""
    if not paths or cache is None:
        return
    from checklist.load.validate import validate

    files = [repo.top / p for p in paths]
    report = validate(files, campaign=campaign, today=today, cache=cache())
    yield from zip(paths, report.results, strict=True)


def _across(results: list[UnitResult]) -> list[UnitResult]:
    """The checks across files (a unit id used twice), as on a checkout of the commit."""
    from checklist.rules.across import cross_findings

    cross = cross_findings(results)
    return [replace(r, unit=None) if r.file in cross else r for r in results]


def _campaign_then(campaign: Campaign, config: str, repo: Repo, commit: str) -> Campaign:
    """campaign.toml as committed, checked as today's is; today's when there was none."""
    blob = tree(repo, commit, [config]).get(config)
    if blob is None:
        return campaign
    data = read_blobs(repo, [blob])[blob]
    with tempfile.TemporaryDirectory(prefix="checklist-") as folder:
        copy = Path(folder) / CONFIG_NAME
        copy.write_bytes(data)
        then = load_campaign(copy)
    return replace(then, config_path=campaign.config_path)
