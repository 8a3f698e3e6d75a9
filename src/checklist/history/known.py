"""The plan as it stood: the unit files (and campaign.toml) as committed on a day."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from checklist.history.blobs import Versions, scope_of
from checklist.history.git import HistoryError, Repo, commit_before, open_repo, read_blobs, tree
from checklist.history.points import start_of
from checklist.load.campaign import CONFIG_NAME, load_campaign
from checklist.model import Campaign, Unit


@dataclass(frozen=True, slots=True)
class Known:
    """What the repository held at the end of a day."""

    commit: str
    campaign: Campaign  # campaign.toml as committed then (today's if there was none)
    units: tuple[Unit, ...]
    skipped: int  # files that did not check then


def as_known(paths: Sequence[Path], *, campaign: Campaign, day: dt.date, today: dt.date) -> Known:
    """The units under ``paths`` as the last commit of ``day`` (HEAD's line) held them."""
    repo = open_repo(paths[0] if paths else campaign.root)
    moment = start_of(day + dt.timedelta(days=1), campaign.timezone)
    commit = commit_before(repo, moment)
    if commit is None:
        raise HistoryError.said("history.before_first", day=day.isoformat())
    then = _campaign_then(campaign, repo.relative(campaign.config_path), repo, commit)
    scope = scope_of(repo, then, paths)
    specs = list(scope.pathspecs) or ([scope.root] if scope.root else [])
    files = {p: b for p, b in tree(repo, commit, specs).items() if scope.is_unit_file(p)}
    versions = Versions(scope, max(today, day))
    versions.load((blob, path) for path, blob in files.items())
    results = [versions.result(blob, path) for path, blob in sorted(files.items())]
    units = tuple(r.unit for r in results if r is not None and r.unit is not None)
    return Known(commit, then, units, len(files) - len(units))


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
