"""Validate a campaign's unit files: find them, check each, then check across them."""

from __future__ import annotations

import datetime as dt
import fnmatch
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from checklist.check import UnitResult, check_unit
from checklist.config import CONFIG_NAME
from checklist.crosscheck import cross_findings
from checklist.errors import UsageError
from checklist.model import Campaign, Problem, Severity
from checklist.pinpoint import pinpoint
from checklist.source import SourceError, decode, display, read


@dataclass(frozen=True, slots=True)
class Report:
    results: tuple[UnitResult, ...]

    @property
    def problems(self) -> tuple[Problem, ...]:
        return tuple(p for r in self.results for p in r.problems)

    def count(self, severity: Severity) -> int:
        return sum(p.severity is severity for p in self.problems)

    @property
    def files_with_problems(self) -> int:
        return sum(bool(r.problems) for r in self.results)


def discover(paths: Sequence[Path], campaign: Campaign) -> list[Path]:
    """The unit files named by ``paths``: files as given, folders searched for *.toml."""
    found: dict[Path, Path] = {}
    config = Path(os.path.realpath(campaign.config_path))
    for path in paths:
        # A path named *.toml is meant as a file: a folder there is that file's problem.
        if path.is_dir() and path.suffix != ".toml":
            candidates = sorted(_walk(path))
        elif path.exists() or path.is_symlink():
            candidates = [path]
        else:
            raise UsageError(f"{path}: no such file or folder")
        for candidate in candidates:
            # realpath, unlike Path.resolve, does not raise on a symlink loop.
            resolved = Path(os.path.realpath(candidate))
            if resolved == config or _excluded(resolved, campaign):
                continue
            found.setdefault(resolved, candidate)
    return list(found.values())


def _walk(folder: Path) -> list[Path]:
    files: list[Path] = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]  # .git, .checklist, editors
        files.extend(Path(root, n) for n in names if n.endswith(".toml") and n != CONFIG_NAME)
    return files


def _excluded(path: Path, campaign: Campaign) -> bool:
    if not campaign.exclude:
        return False
    try:
        relative = path.relative_to(campaign.root.resolve()).as_posix()
    except ValueError:
        return False
    return any(fnmatch.fnmatchcase(relative, pattern) for pattern in campaign.exclude)


def check_file(path: Path, *, campaign: Campaign, today: dt.date) -> UnitResult:
    file = display(path)
    try:
        data = read(path)
    except SourceError as error:
        return UnitResult(file, None, pinpoint([error.finding], text="", file=file))
    return check_unit(data, file=file, campaign=campaign, today=today)


def validate(files: Sequence[Path], *, campaign: Campaign, today: dt.date) -> Report:
    """Check every file (a broken one never stops the others), then across them."""
    results = [check_file(path, campaign=campaign, today=today) for path in files]
    cross = cross_findings(results)
    if cross:
        paths = {display(path): path for path in files}
        for i, result in enumerate(results):
            if result.file in cross:
                text = decode(read(paths[result.file]))
                extra = pinpoint(cross[result.file], text=text, file=result.file)
                merged = tuple(
                    sorted((*result.problems, *extra), key=lambda p: (p.line, p.column, p.code))
                )
                results[i] = replace(result, unit=None, problems=merged)
    return Report(tuple(results))
