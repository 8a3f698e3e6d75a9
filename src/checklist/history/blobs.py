"""Unit files as committed: each version read from git and checked once, like a file on disk."""

from __future__ import annotations

import datetime as dt
import fnmatch
import functools
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from checklist.history.git import EMPTY, Repo, read_blobs
from checklist.load.campaign import CONFIG_NAME
from checklist.load.check import check_unit
from checklist.load.discover import TOOL_CONFIGS
from checklist.load.result import UnitResult
from checklist.load.source import display
from checklist.load.validate import on_every_core
from checklist.model import Campaign, Problem, Severity, Unit

# Below this many versions a process pool costs more to start than it saves (as in validate).


@dataclass(frozen=True, slots=True)
class Scope:
    """Which paths of the repository are unit files of the campaign, under the PATHS given."""

    repo: Repo
    campaign: Campaign
    root: str  # the campaign folder, relative to the top ("" at the top)
    pathspecs: tuple[str, ...]  # the PATHS, relative to the top

    def is_unit_file(self, path: str) -> bool:
        """Whether the file at ``path`` (relative to the top) is one of the campaign's units."""
        pure = PurePosixPath(path)
        if pure.suffix != ".toml" or pure.name in TOOL_CONFIGS:
            return False
        if self.root and not path.startswith(self.root + "/"):
            return False
        inside = pure.relative_to(self.root) if self.root else pure
        if str(inside) == CONFIG_NAME:
            return False
        if any(fnmatch.fnmatchcase(str(inside), pattern) for pattern in self.campaign.exclude):
            return False
        return not self.pathspecs or any(
            spec in ("", ".") or path == spec or path.startswith(spec.rstrip("/") + "/")
            for spec in self.pathspecs
        )


def scope_of(repo: Repo, campaign: Campaign, paths: Sequence[Path]) -> Scope:
    """The history scope of a campaign and the PATHS given (folders or files, on disk or gone)."""
    root = repo.relative(campaign.root)
    specs = tuple(repo.relative(p.absolute()) for p in paths)
    return Scope(repo, campaign, "" if root == "." else root, tuple(s for s in specs if s != "."))


@dataclass
class Versions:
    """Checked versions of unit files, each (blob, path) checked once per run."""

    scope: Scope
    today: dt.date
    found: dict[tuple[str, str], UnitResult] = field(default_factory=dict)

    def load(self, wanted: Iterable[tuple[str, str]]) -> None:
        """Read and check the versions (blob, path) not checked yet, in parallel when many."""
        missing = sorted({w for w in wanted if w[0] != EMPTY and w not in self.found})
        if not missing:
            return
        data = read_blobs(self.scope.repo, (blob for blob, _ in missing))
        jobs = [(data[blob], self.file(path)) for blob, path in missing]
        for key, result in zip(missing, self._check(jobs), strict=True):
            self.found[key] = result

    def result(self, blob: str, path: str) -> UnitResult | None:
        """The version's result (None: no file); ``load`` it first."""
        return None if blob == EMPTY else self.found[blob, path]

    def unit(self, blob: str, path: str) -> Unit | None:
        result = self.result(blob, path)
        return None if result is None else result.unit

    def check_bytes(self, data: bytes, path: str) -> UnitResult:
        """A working copy's version: checked, not kept."""
        return _check_one((data, self.file(path)), campaign=self.scope.campaign, today=self.today)

    def file(self, path: str) -> str:
        """How a report names the file: as ``validate`` would, relative to the working folder."""
        return display(self.scope.repo.top / path)

    def _check(self, jobs: list[tuple[bytes, str]]) -> list[UnitResult]:
        check = functools.partial(_check_one, campaign=self.scope.campaign, today=self.today)
        return on_every_core(check, jobs)


def _check_one(job: tuple[bytes, str], *, campaign: Campaign, today: dt.date) -> UnitResult:
    """One version checked; whatever goes wrong, even a bug here, is that version's problem."""
    data, file = job
    try:
        return check_unit(data, file=file, campaign=campaign, today=today)
    except Exception as error:  # one version must never stop the others
        if os.environ.get("CHECKLIST_DEBUG"):
            raise
        said = f"{type(error).__name__}: {error}"
        problem = Problem(
            file,
            1,
            1,
            Severity.ERROR,
            "E008",
            "check-failed",
            f"checking this version failed: {said}",
            message_zh=f"检查这个版本时程序出错了:{said}",
        )
        return UnitResult(file, None, (problem,))
