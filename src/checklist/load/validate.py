"""Check a campaign's unit files: each (from the cache, or in parallel), then across them."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import os
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

from checklist.load import recall
from checklist.load.cache import Stamp, stamp, stat_all
from checklist.load.pinpoint import pinpoint
from checklist.load.result import UnitResult
from checklist.load.seal import stamps_of
from checklist.load.source import SourceError, decode, display, read
from checklist.load.store import Store
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
class Checked:
    """What the validate command reports: every problem, in the files' order, and the
    files checked, by name as problems give them."""

    problems: tuple[Problem, ...]
    files: tuple[str, ...]

    def count(self, severity: Severity) -> int:
        return sum(p.severity is severity for p in self.problems)


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
    path: str | Path,
    *,
    campaign: Campaign,
    today: dt.date,
    build: bool = True,
    follow_outside: bool = False,
) -> UnitResult:
    """Check one file; whatever is wrong with it, even a bug here, is that file's problem."""
    from checklist.load.check import check_unit  # the checks: a warm run needs none

    file = shown(path) if isinstance(path, str) else display(path)
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


def shown(name: str) -> str:
    """``display(Path(name))`` without a Path, for the absolute names discovery gives: the
    name relative to the working folder when below it (10,000 Paths cost a tenth of a
    second). Names pathlib would rewrite ("//", "/./", a trailing "/") go to display."""
    cwd = os.getcwd()  # noqa: PTH109 (Path.cwd is the Path this avoids)
    return _shown(name, cwd, _below(cwd))


def shown_all(names: Sequence[str]) -> tuple[str, ...]:
    """``shown`` of each name, the working folder asked once."""
    cwd = os.getcwd()  # noqa: PTH109
    below = _below(cwd)
    if below is None:
        return tuple(_shown(name, cwd, below) for name in names)
    n = len(below)
    # _shown, its common case first: a name below the folder, as pathlib writes it.
    return tuple(
        name[n:]
        if name.startswith(below)
        and len(name) > n
        and "//" not in name
        and "/./" not in name
        and not name.endswith(("/", "/."))
        else _shown(name, cwd, below)
        for name in names
    )


def _below(cwd: str) -> str | None:
    """The working folder as the start of the names below it, if pathlib keeps it as is."""
    if os.sep == "/" and cwd.startswith("/") and _as_written(cwd):
        return cwd.rstrip("/") + "/"
    return None


def _shown(name: str, cwd: str, below: str | None) -> str:
    if below is not None and name.startswith("/") and _as_written(name):
        if name.startswith(below) and len(name) > len(below):
            return name[len(below) :]
        if name != cwd:
            return name
    return display(Path(name))


def _as_written(name: str) -> bool:
    """Whether pathlib keeps this absolute name as it is."""
    return "//" not in name and "/./" not in name and not name.endswith(("/", "/."))


# Below this many files a process pool costs more to start than it saves.
PARALLEL_MIN = 400


def _still_true(result: UnitResult, *, today: dt.date) -> bool:
    """Whether a stored result holds today."""
    if result.last_done is not None and result.last_done > today:
        return False  # done "in the future": E207 may come or go
    return not any(p.code in day_dependent_codes() for p in result.problems)


J = TypeVar("J")


def _check_all(
    paths: Sequence[str], *, campaign: Campaign, today: dt.date, build: bool, follow_outside: bool
) -> Iterator[UnitResult]:
    """Check files on every core when there are enough of them; each check is independent."""
    check = functools.partial(
        check_file, campaign=campaign, today=today, build=build, follow_outside=follow_outside
    )
    return _as_checked(check, paths)


def on_every_core(check: Callable[[J], UnitResult], jobs: Sequence[J]) -> list[UnitResult]:
    """``check`` over ``jobs``, in order: on every core (up to 8) when there are enough."""
    return list(_as_checked(check, jobs))


def _as_checked(check: Callable[[J], UnitResult], jobs: Sequence[J]) -> Iterator[UnitResult]:
    """``on_every_core``, each result given as it comes: the caller keeps the first ones
    while the workers check the rest."""
    workers = min(os.cpu_count() or 1, 8)
    if len(jobs) < PARALLEL_MIN or workers < 2:
        yield from map(check, jobs)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        # Small chunks: the last to finish leaves the other cores idle for less.
        chunk = max(50, len(jobs) // (workers * 16))
        yield from pool.map(check, jobs, chunksize=chunk)


def validate(
    files: Sequence[str | Path],
    *,
    campaign: Campaign,
    today: dt.date,
    cache: Store | None = None,
    units: bool = True,
    follow_outside: bool = False,
    stats: list[os.stat_result | None] | None = None,
) -> Report:
    """Check every file (a broken one never stops the others), then across them.

    Files as text are absolute paths (discovery's names).

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
        results, remember = _load_or_check(
            files,
            campaign=campaign,
            today=today,
            cache=cache,
            units=units,
            follow_outside=follow_outside,
            stats=stats,
        )
        cross = cross_findings(results)
        if remember is not None and not cross:  # no unit id used twice: the next recalls it
            remember()
        # They live until the command ends: keep the collector from walking them ever again.
        gc.freeze()
    finally:
        gc.enable()
        if cache is not None:
            cache.close()
    return _cross_checked(results, cross, files, within=None if follow_outside else campaign.root)


def check_files(
    files: Sequence[str],
    *,
    campaign: Campaign,
    today: dt.date,
    cache: Store | None,
    follow_outside: bool = False,
) -> Checked:
    """``validate`` as the validate command reports it (files as absolute paths): when
    the store is as the last validation of these very files left it, their problems are
    read from it and not a result is made for the clean ones (load/recall.py)."""
    gc.disable()  # 10,000 stats and stamps, and no garbage: nothing for the collector
    try:
        stats = stat_all(files)
        if cache is not None and not follow_outside and all(stats):
            stamped = [stamp(status) for status in stats if status is not None]
            flagged = recall.checked(cache, files, stamped, today=today)
            if flagged is not None:
                cache.close()
                problems = tuple(p for result in flagged for p in result.problems)
                return Checked(problems, shown_all(files))
    finally:
        gc.enable()
    report = validate(
        files,
        campaign=campaign,
        today=today,
        cache=cache,
        units=False,
        follow_outside=follow_outside,
        stats=stats,
    )
    return Checked(report.problems, tuple(result.file for result in report.results))


def _load_or_check(
    files: Sequence[str | Path],
    *,
    campaign: Campaign,
    today: dt.date,
    cache: Store | None,
    units: bool,
    follow_outside: bool,
    stats: list[os.stat_result | None] | None = None,
) -> tuple[list[UnitResult], Callable[[], None] | None]:
    """Each file's result: from the store if it is unchanged and still true, else checked;
    and, when every result was read from the store (none written), what remembers this
    validation for the next of the very same files (load/recall.py)."""
    keys = [path if isinstance(path, str) else str(path.absolute()) for path in files]
    stats = stat_all(keys) if stats is None else stats
    stamps: dict[str, Stamp] = {
        key: stamp(status) for key, status in zip(keys, stats, strict=True) if status
    }
    before = stamps_of(cache.path) if cache is not None else None
    stored = cache.load(stamps, units=units) if cache is not None else {}
    found: list[UnitResult | None] = [None] * len(files)
    for i, key in enumerate(keys):
        result = stored.get(key)
        if result is not None and _still_true(result, today=today):
            found[i] = result
    missing = [i for i, result in enumerate(found) if result is None]
    if cache is not None and not units and not missing and len(stamps) == len(keys):
        results = [result for result in found if result is not None]
        stamped = list(stamps.values())
        return results, lambda: recall.keep_checked(cache, keys, stamped, results, before=before)
    fresh = _check_all(
        [keys[i] for i in missing],
        campaign=campaign,
        today=today,
        build=units,
        follow_outside=follow_outside,
    )
    # Each result kept as it comes: the store writes the first while the rest are checked.
    for i, result in zip(missing, fresh, strict=True):
        found[i] = result
        if cache is not None:
            _keep(cache, keys[i], stats[i], result)
    return [result for result in found if result is not None], None


def _keep(cache: Store, key: str, status: os.stat_result | None, result: UnitResult) -> None:
    """A fresh result, kept if the file was there to stat and its problems are not of the
    moment."""
    if status is not None and _lasting(result):
        cache.put(key, status, result)


def recheck(files: Sequence[str], *, campaign: Campaign, today: dt.date, cache: Store) -> None:
    """Check these files (a report's, changed since the index last saw them, or never
    seen) and keep their results as they come, so that the index answers the report after
    all: one edited file costs its own check, not a load of every unit, and a first run
    holds one batch of results at a time, not every unit."""
    stats = stat_all(files)
    results = _check_all(files, campaign=campaign, today=today, build=True, follow_outside=False)
    for key, status, result in zip(files, stats, results, strict=True):
        _keep(cache, key, status, result)
    cache.write()


# Problems of the moment, not of the bytes: a file unreadable (or vanished) since it was
# stat'ed, a link swapped in, a crash. The next run must look again.
_TRANSIENT = frozenset({"E001", "E007", "E008"})


def _lasting(result: UnitResult) -> bool:
    return not any(p.code in _TRANSIENT for p in result.problems)


def _cross_checked(
    results: list[UnitResult],
    cross: dict[str, list[Finding]],
    files: Sequence[str | Path],
    *,
    within: Path | None,
) -> Report:
    if cross:
        paths = {shown(f) if isinstance(f, str) else display(f): f for f in files}
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
