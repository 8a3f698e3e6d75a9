"""Validate a campaign's unit files: find them, check each, then check across them."""

from __future__ import annotations

import contextlib
import datetime as dt
import fnmatch
import functools
import gc
import os
import pickle
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from checklist.cache import Cache, loads
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
    found: dict[str, Path] = {}
    for path in paths:
        # A path named *.toml is meant as a file: a folder there is that file's problem.
        if path.is_dir() and path.suffix != ".toml":
            candidates = sorted(_walk(path.absolute()))
        elif path.exists() or path.is_symlink():
            candidates = [(str(path.absolute()), path.is_symlink())]
        else:
            raise UsageError(f"{path}: no such file or folder")
        for name, link in candidates:
            candidate = Path(name)
            if candidate.name == CONFIG_NAME and _same_file(candidate, campaign.config_path):
                continue
            # Only links need resolving (and realpath, unlike Path.resolve, survives a loop);
            # resolving ten thousand plain files costs more than finding them.
            key = os.path.realpath(name) if link else name
            if not _excluded(candidate, campaign):
                found.setdefault(key, candidate)
    return list(found.values())


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return False


def _walk(folder: Path) -> list[tuple[str, bool]]:
    """Every *.toml below ``folder`` (skipping dot-folders) and whether it is a link."""
    files: list[tuple[str, bool]] = []
    pending = [str(folder)]
    while pending:
        try:
            entries = list(os.scandir(pending.pop()))
        except OSError:
            continue  # an unreadable folder holds nothing we can check
        for entry in entries:
            if entry.name.startswith("."):  # .git, .checklist, editors' folders
                continue
            if _is_dir(entry):  # like os.walk: a linked folder is listed, never entered
                if not entry.is_symlink():
                    pending.append(entry.path)
            elif entry.name.endswith(".toml") and entry.name != CONFIG_NAME:
                files.append((entry.path, entry.is_symlink()))
    return files


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:  # a symlink loop: not a folder; reading it will say what it is
        return False


def _excluded(path: Path, campaign: Campaign) -> bool:
    if not campaign.exclude:
        return False
    for root in (campaign.root, campaign.root.resolve()):
        try:
            relative = path.relative_to(root).as_posix()
        except ValueError:
            continue
        return any(fnmatch.fnmatchcase(relative, pattern) for pattern in campaign.exclude)
    return False


def check_file(path: Path, *, campaign: Campaign, today: dt.date, build: bool = True) -> UnitResult:
    file = display(path)
    try:
        data = read(path)
    except SourceError as error:
        return UnitResult(file, None, pinpoint([error.finding], text="", file=file))
    return check_unit(data, file=file, campaign=campaign, today=today, build=build)


# Below this many files a process pool costs more to start than it saves.
PARALLEL_MIN = 400

# A result travels (from a worker process, to and from the cache) as the result without its
# unit, plus the unit pickled: a command that needs no units (validate) never unpickles them.
Packed = tuple[UnitResult, bytes | None]


def check_packed(path: Path, *, campaign: Campaign, today: dt.date, build: bool) -> Packed:
    result = check_file(path, campaign=campaign, today=today, build=build)
    if result.unit is None:
        return result, None
    return replace(result, unit=None), pickle.dumps(result.unit, pickle.HIGHEST_PROTOCOL)


def _unpack(packed: Packed) -> UnitResult:
    result, blob = packed
    return result if blob is None else replace(result, unit=loads(blob))


def _unpack_or_check(
    entry: Packed, path: Path, *, campaign: Campaign, today: dt.date, units: bool
) -> UnitResult:
    """The result with its unit; a cached unit that cannot be rebuilt is a miss."""
    if not units:
        return entry[0]
    try:
        return _unpack(entry)
    except Exception:  # whatever is wrong with a cached unit, the file itself is right
        return _unpack(check_packed(path, campaign=campaign, today=today, build=True))


def _still_true(entry: Packed, *, today: dt.date, units: bool) -> bool:
    """Whether a cached result holds today, and has what this command needs."""
    result, blob = entry
    if result.last_done is not None and result.last_done > today:
        return False  # done "in the future": E207 may come or go
    if any(p.code == "E207" for p in result.problems):
        return False
    # A valid file checked without building its unit is no use to a report.
    return not units or blob is not None or result.has_errors


def _check_all(
    paths: Sequence[Path], *, campaign: Campaign, today: dt.date, build: bool
) -> list[Packed]:
    """Check files on every core when there are enough of them; each check is independent."""
    workers = min(os.cpu_count() or 1, 8)
    check = functools.partial(check_packed, campaign=campaign, today=today, build=build)
    if len(paths) < PARALLEL_MIN or workers < 2:
        return [check(path) for path in paths]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        chunk = max(50, len(paths) // (workers * 4))
        return list(pool.map(check, paths, chunksize=chunk))


def validate(
    files: Sequence[Path],
    *,
    campaign: Campaign,
    today: dt.date,
    cache: Cache | None = None,
    units: bool = True,
) -> Report:
    """Check every file (a broken one never stops the others), then across them.

    Files the cache knows unchanged are not read again; the rest are checked,
    in parallel when there are many. With ``units=False`` the results carry
    problems only, which is all that validation reports.
    """
    # Bulk loading makes millions of small objects that are never garbage; the cyclic
    # collector would walk them again and again for nothing.
    gc.disable()
    try:
        packed: list[Packed | None] = [None] * len(files)
        stats: list[os.stat_result | None] = [None] * len(files)
        for i, path in enumerate(files):
            with contextlib.suppress(OSError):
                stats[i] = path.stat()
            status = stats[i]
            if cache is not None and status is not None:
                entry = cache.get(str(path.absolute()), status)
                if entry is not None and _still_true(entry, today=today, units=units):
                    packed[i] = entry
        if cache is not None:
            seen = {str(files[i].absolute()) for i, status in enumerate(stats) if status}
            cache.forget_gone(seen)
        missing = [i for i, entry in enumerate(packed) if entry is None]
        fresh = _check_all([files[i] for i in missing], campaign=campaign, today=today, build=units)
        for i, entry in zip(missing, fresh, strict=True):
            packed[i] = entry
            status = stats[i]
            if cache is not None and status is not None:
                cache.put(str(files[i].absolute()), status, entry)
        results = [
            _unpack_or_check(entry, files[i], campaign=campaign, today=today, units=units)
            for i, entry in enumerate(packed)
            if entry is not None
        ]
        # They live until the command ends: keep the collector from walking them ever again.
        gc.freeze()
    finally:
        gc.enable()
    if cache is not None:
        cache.save()
    return _cross_checked(results, files)


def _cross_checked(results: list[UnitResult], files: Sequence[Path]) -> Report:
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
