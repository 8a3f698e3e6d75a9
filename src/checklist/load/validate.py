"""Validate a campaign's unit files: find them, check each, then check across them."""

from __future__ import annotations

import contextlib
import datetime as dt
import fnmatch
import functools
import gc
import os
import pickle
import stat
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from checklist.errors import UsageError
from checklist.load.cache import Cache, loads
from checklist.load.campaign import CONFIG_NAME
from checklist.load.pinpoint import pinpoint
from checklist.load.source import SourceError, decode, display, inside, outside_finding, read
from checklist.model import Campaign, Problem, Severity
from checklist.rules.across import cross_findings
from checklist.rules.check import UnitResult, check_unit
from checklist.rules.registry import Finding


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
class Found:
    """The unit files to check, and what discovery refused without reading it."""

    files: tuple[Path, ...]
    # Folders that cannot be read, and files or folders outside the campaign: each a
    # located problem, since a report that silently leaves out a county's folder is wrong.
    refused: tuple[UnitResult, ...] = ()


def discover(paths: Sequence[Path], campaign: Campaign) -> list[Path]:
    """The unit files named by ``paths`` that can be read, inside the campaign folder."""
    return list(find(paths, campaign).files)


def find(paths: Sequence[Path], campaign: Campaign, *, follow_outside: bool = False) -> Found:
    """The unit files named by ``paths``: files as given, folders searched for *.toml.

    Linked files and folders are followed while their real path is inside the campaign
    folder (anywhere, with ``follow_outside``); each file is found once, however reached.
    """
    root = None if follow_outside else campaign.root
    found: dict[str, Path] = {}
    refused: dict[str, UnitResult] = {}
    for path in paths:
        # A path named *.toml is meant as a file: a folder there is that file's problem.
        kind = _kind(path)
        if kind is None:
            raise UsageError(f"{path}: no such file or folder")
        if kind == "folder" and path.suffix != ".toml":
            candidates, problems = _walk(path.absolute(), root)
            candidates.sort()
            for problem in problems:
                refused.setdefault(problem.file, problem)
        else:
            candidates = [(str(path.absolute()), os.path.realpath(path))]
        for name, real in candidates:
            candidate = Path(name)
            if candidate.name == CONFIG_NAME and _same_file(candidate, campaign.config_path):
                continue
            if _excluded(candidate, campaign):
                continue
            if root is not None and not inside(real, root):
                refused.setdefault(
                    display(candidate), _refused(candidate, outside_finding(real, root))
                )
            else:
                found.setdefault(real, candidate)
    return Found(tuple(found.values()), tuple(refused.values()))


def _kind(path: Path) -> str | None:
    """Say "folder", "file", or None when nothing is there.

    Anything that is there but cannot be looked at (a link loop, a folder above it that
    may not be entered) counts as a file: reading it then says what is wrong, located.
    Path.exists() would raise on a permission error instead.
    """
    try:
        return "folder" if stat.S_ISDIR(path.stat().st_mode) else "file"
    except (FileNotFoundError, NotADirectoryError):
        try:
            path.lstat()  # a broken link is there, as a file that cannot be read
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError:
            pass
        return "file"
    except OSError:
        return "file"


def _refused(path: Path, finding: Finding) -> UnitResult:
    file = display(path)
    return UnitResult(file, None, pinpoint([finding], text="", file=file))


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return False


def _walk(folder: Path, root: Path | None) -> tuple[list[tuple[str, str]], list[UnitResult]]:
    """Every *.toml below ``folder`` (skipping dot-folders) with its real path; the refused.

    Only links need resolving (realpath, unlike Path.resolve, survives a loop): below a
    folder's real path, a plain entry's real path is that path and its name.
    """
    files: list[tuple[str, str]] = []
    refused: list[UnitResult] = []
    real = os.path.realpath(folder)
    # A folder holding the campaign folder is walked: each file is then judged by itself.
    if (
        root is not None
        and not inside(real, root)
        and not inside(os.path.realpath(root), Path(real))
    ):
        return files, [_refused(folder, outside_finding(real, root))]
    pending, seen = [(str(folder), real)], {real}
    while pending:
        here, real_here = pending.pop()
        prefix = real_here.rstrip(os.sep) + os.sep
        try:
            with os.scandir(here) as listing:
                entries = list(listing)
        except OSError as error:
            refused.append(_refused(Path(here), _unreadable_folder(error)))
            continue
        for entry in entries:
            if entry.name.startswith("."):  # .git, .checklist, editors' folders
                continue
            link = _is_link(entry)
            target = os.path.realpath(entry.path) if link else prefix + entry.name
            if _is_dir(entry):
                if root is not None and link and not inside(target, root):
                    refused.append(_refused(Path(entry.path), outside_finding(target, root)))
                elif target not in seen:  # a link back up, or to a folder already walked
                    seen.add(target)
                    pending.append((entry.path, target))
            elif entry.name.endswith(".toml"):
                if entry.name != CONFIG_NAME:
                    files.append((entry.path, target))
            elif link and not os.path.exists(entry.path):  # noqa: PTH110 (it never raises)
                # Perhaps a county's folder, moved away: its units would silently count as 0.
                refused.append(_refused(Path(entry.path), _broken_link(entry.path)))
    return files, refused


def _unreadable_folder(error: OSError) -> Finding:
    return Finding(
        "E001",
        f"cannot read this folder: {error.strerror or error}; its unit files are not checked "
        "or counted",
        line=1,
        column=1,
        hint="give the user running checklist permission to read and enter the folder",
    )


def _broken_link(path: str) -> Finding:
    try:
        target = f" to {Path(path).readlink()}"
    except OSError:
        target = ""
    return Finding(
        "E001",
        f"this is a link{target}, which cannot be followed (missing, or a loop)",
        line=1,
        column=1,
        hint="restore what the link points to, or delete the link",
    )


def _is_link(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_symlink()
    except OSError:
        return False


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
    if any(p.code == "E207" for p in result.problems):
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
