"""Check a campaign's unit files: each (from the cache, or in parallel), then across them."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import os
import pickle
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from checklist.load.cache import Cache, loads
from checklist.load.check import UnitResult, check_unit
from checklist.load.pinpoint import pinpoint
from checklist.load.source import SourceError, decode, display, read
from checklist.model import Campaign, Problem, Severity
from checklist.rules.across import cross_findings
from checklist.rules.registry import Finding, day_dependent_codes


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


@dataclass(frozen=True, slots=True)
class CommitReport:
    """A whole campaign checked for a commit: what the commit answers for, and the rest."""

    own: tuple[Problem, ...]  # in the changed files first, then those they cause elsewhere
    others: tuple[Problem, ...]  # in files the commit does not touch, nor affect
    checked: int


# The codes of rules/across.py: a problem one file causes in another.
_CROSS = frozenset({"E301"})


def for_commit(report: Report, changed: Collection[str], *, campaign_changed: bool) -> CommitReport:
    """Split a whole campaign's problems into those of a commit's files and the rest.

    A commit answers for the problems of the files it changes, and for those it causes in
    other files: a unit id now used twice. A changed campaign.toml answers for every unit,
    since its counties, measures and dates judge them all.
    """
    if campaign_changed:
        return CommitReport(report.problems, (), len(report.results))
    ids = {r.unit_id for r in report.results if r.file in changed and r.unit_id is not None}
    own = [p for r in report.results if r.file in changed for p in r.problems]
    caused: list[Problem] = []
    others: list[Problem] = []
    for result in report.results:
        if result.file in changed:
            continue
        for problem in result.problems:
            crossed = problem.code in _CROSS and result.unit_id in ids
            (caused if crossed else others).append(problem)
    return CommitReport((*own, *caused), tuple(others), len(report.results))


def check_file(
    path: Path,
    *,
    campaign: Campaign,
    today: dt.date,
    build: bool = True,
    follow_outside: bool = False,
) -> UnitResult:
    """Check one file; whatever is wrong with it, even a bug here, is that file's problem."""
    file = display(path)
    try:
        data = read(path, within=None if follow_outside else campaign.root)
    except SourceError as error:
        return UnitResult(file, None, pinpoint([error.finding], text="", file=file))
    try:
        return check_unit(data, file=file, campaign=campaign, today=today, build=build)
    except Exception as error:  # one file must never stop the others
        if os.environ.get("CHECKLIST_DEBUG"):
            raise
        finding = Finding(
            "E008",
            f"checking this file failed: {type(error).__name__}: {error}",
            line=1,
            column=1,
            hint="this is a bug in checklist; please report it with the file "
            "(CHECKLIST_DEBUG=1 shows the traceback)",
            zh=f"检查这个文件时程序出错了:{type(error).__name__}: {error}",
            zh_hint="这是 checklist 自身的问题,不是您填错了;请把这个文件和这条提示一起报告给"
            "维护人员(设置 CHECKLIST_DEBUG=1 再运行,可以看到详细的出错信息)",
        )
        return UnitResult(file, None, pinpoint([finding], text="", file=file))


# Below this many files a process pool costs more to start than it saves.
PARALLEL_MIN = 400

# A result travels (from a worker process, to and from the cache) as the result without its
# unit, plus the unit pickled: a command that needs no units (validate) never unpickles them.
Packed = tuple[UnitResult, bytes | None]


def check_packed(
    path: Path, *, campaign: Campaign, today: dt.date, build: bool, follow_outside: bool
) -> Packed:
    result = check_file(
        path, campaign=campaign, today=today, build=build, follow_outside=follow_outside
    )
    if result.unit is None:
        return result, None
    return replace(result, unit=None), pickle.dumps(result.unit, pickle.HIGHEST_PROTOCOL)


def _unpack(packed: Packed) -> UnitResult:
    result, blob = packed
    return result if blob is None else replace(result, unit=loads(blob))


def _unpack_or_check(
    entry: Packed, path: Path, *, campaign: Campaign, today: dt.date
) -> UnitResult:
    """The result with its unit; a cached unit that cannot be rebuilt is a miss."""
    try:
        return _unpack(entry)
    except Exception:  # whatever is wrong with a cached unit, the file itself is right
        packed = check_packed(
            path, campaign=campaign, today=today, build=True, follow_outside=False
        )
        return _unpack(packed)


def _still_true(entry: Packed, *, today: dt.date, units: bool) -> bool:
    """Whether a cached result holds today, and has what this command needs."""
    result, blob = entry
    if result.last_done is not None and result.last_done > today:
        return False  # done "in the future": E207 may come or go
    if any(p.code in day_dependent_codes() for p in result.problems):
        return False
    # A valid file checked without building its unit is no use to a report.
    return not units or blob is not None or result.has_errors


def _check_all(
    paths: Sequence[Path], *, campaign: Campaign, today: dt.date, build: bool, follow_outside: bool
) -> list[Packed]:
    """Check files on every core when there are enough of them; each check is independent."""
    workers = min(os.cpu_count() or 1, 8)
    check = functools.partial(
        check_packed, campaign=campaign, today=today, build=build, follow_outside=follow_outside
    )
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
    follow_outside: bool = False,
) -> Report:
    """Check every file (a broken one never stops the others), then across them.

    Files the cache knows unchanged are not read again; the rest are checked,
    in parallel when there are many. With ``units=False`` the results carry
    problems only, which is all that validation reports.
    """
    if follow_outside:
        # Results of files outside the campaign must never be served to a later run that
        # does not follow them; the option is rare enough to go without the cache.
        cache = None
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
        fresh = _check_all(
            [files[i] for i in missing],
            campaign=campaign,
            today=today,
            build=units,
            follow_outside=follow_outside,
        )
        for i, entry in zip(missing, fresh, strict=True):
            packed[i] = entry
            status = stats[i]
            if cache is not None and status is not None and _lasting(entry[0]):
                cache.put(str(files[i].absolute()), status, entry)
        results = [
            _unpack_or_check(entry, files[i], campaign=campaign, today=today) if units else entry[0]
            for i, entry in enumerate(packed)
            if entry is not None
        ]
        # They live until the command ends: keep the collector from walking them ever again.
        gc.freeze()
    finally:
        gc.enable()
    if cache is not None:
        cache.save()
    return _cross_checked(results, files, within=None if follow_outside else campaign.root)


# Problems of the moment, not of the bytes: a file unreadable (or vanished) since it was
# stat'ed, a link swapped in, a crash. The next run must look again.
_TRANSIENT = frozenset({"E001", "E007", "E008"})


def _lasting(result: UnitResult) -> bool:
    return not any(p.code in _TRANSIENT for p in result.problems)


def _cross_checked(
    results: list[UnitResult], files: Sequence[Path], *, within: Path | None
) -> Report:
    cross = cross_findings(results)
    if cross:
        paths = {display(path): path for path in files}
        for i, result in enumerate(results):
            if result.file in cross:
                # Read again only to locate the id: a file gone or changed since it was
                # checked is still reported, at its first line if the id cannot be found.
                text = ""
                with contextlib.suppress(SourceError, KeyError):
                    text = decode(read(paths[result.file], within=within))
                extra = pinpoint(cross[result.file], text=text, file=result.file)
                merged = tuple(
                    sorted((*result.problems, *extra), key=lambda p: (p.line, p.column, p.code))
                )
                results[i] = replace(result, unit=None, problems=merged)
    return Report(tuple(results))
