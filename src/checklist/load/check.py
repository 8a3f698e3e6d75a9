"""Check one unit file: bytes → parse → shape → rules → Unit.

A pure function of the file's bytes, the campaign and the day: that purity is what
lets results be cached per file and computed in parallel; only ``rules.across``
looks at more than one file.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path, PurePath

from checklist.load.build import build_unit, unit_id_of
from checklist.load.due import relocate, resolve_workdays
from checklist.load.pinpoint import pinpoint
from checklist.load.result import UnitResult
from checklist.load.schema import Field, unit_schema
from checklist.load.shape import shape
from checklist.load.source import BOM, SourceError, decode, parse
from checklist.model import Campaign, Severity
from checklist.rules.context import Context, Entry, entries
from checklist.rules.registry import Finding, KeyPath, unit_checks


def check_unit(
    data: bytes, *, file: str, campaign: Campaign, today: dt.date, build: bool = True
) -> UnitResult:
    """Check a unit file's bytes; report every problem, located; build the unit if it is valid.

    Validation alone needs no unit (``build=False``), which saves a fifth of the work.
    """
    text = ""
    try:
        text = decode(data)
        doc = parse(text)
    except SourceError as error:
        return UnitResult(file, None, pinpoint([error.finding], text=text, file=file))
    findings: list[Finding] = []
    clean = shape(doc, _schema(campaign), findings)
    # Before any rule: they, the unit and the index see a plain due. Most files count no
    # working days, and a key their text does not hold is in no table: unless an escape in
    # a quoted key spells it, or shape put it there for a typo (and said so).
    counted: frozenset[KeyPath] = frozenset()
    if findings or "due_workdays" in text or "from" in text or "\\" in text:
        resolved, counted = resolve_workdays(clean, campaign)
        findings.extend(resolved)
    ctx = Context(
        campaign,
        today,
        _stem(file),
        _folders(file, campaign),
        text,
        entries(clean, campaign),
        data.startswith(BOM),
    )
    for check in unit_checks():
        findings.extend(check(clean, ctx))
    problems = pinpoint(relocate(findings, counted), text=text, file=file)
    unit_id, id_path = unit_id_of(clean, ctx)
    has_errors = any(p.severity is Severity.ERROR for p in problems)
    unit = None if has_errors or not build else build_unit(clean, ctx, file=file, text=text)
    return UnitResult(file, unit, problems, unit_id, id_path, _last_done(ctx.entries))


def _last_done(found: tuple[Entry, ...]) -> dt.date | None:
    days = []
    for entry in found:
        done = entry.table.get("done")  # a date, dates, or BAD (neither)
        if isinstance(done, dt.date):
            days.append(done)
        elif isinstance(done, list):
            days.extend(day for day in done if isinstance(day, dt.date))
    return max(days, default=None)


# The schema of the campaign's measures: lru_cache would hash the measures for each file.
_SCHEMA: list[tuple[Campaign, Field]] = []


def _schema(campaign: Campaign) -> Field:
    if not _SCHEMA or _SCHEMA[0][0] is not campaign:
        _SCHEMA[:] = [(campaign, unit_schema(campaign.measures))]
    return _SCHEMA[0][1]


def _plain(file: str) -> bool:
    """Whether pathlib would read ``file`` as written: "/"-separated, its last part a name.

    Then the name is what follows the last "/", and the folder depends only on what precedes
    it, which is what _stem and _folders need to do without a Path for each file.
    """
    name = file.rpartition("/")[2]
    return os.sep == "/" and os.altsep is None and name not in ("", ".")


def _stem(file: str) -> str:
    """``PurePath(file).stem``: the file name without its suffix."""
    if not _plain(file):
        return PurePath(file).stem
    name = file.rpartition("/")[2]
    dot = name.rfind(".")
    return name[:dot] if 0 < dot < len(name) - 1 else name


# Folders are few and files many: each folder's parts, by what the file names it, for
# one campaign at a time (a Path's hash, of its root, costs more than the lookup).
_FOLDERS: dict[tuple[str, str], tuple[str, ...]] = {}
_FOLDERS_FOR: list[Campaign] = []


def _folders(file: str, campaign: Campaign) -> tuple[str, ...]:
    """The folders between the campaign root and ``file``, or the file's own folder."""
    if not _plain(file):
        return _folders_of(file, campaign)
    held = _FOLDERS_FOR[0] if _FOLDERS_FOR else None
    if held is not campaign:  # a worker unpickles a copy for each chunk of files: equal will do
        if held != campaign or held.root != campaign.root:  # (equality leaves the root out)
            _FOLDERS.clear()
        _FOLDERS_FOR[:] = [campaign]
    if len(_FOLDERS) > 4096:
        _FOLDERS.clear()
    # A relative name means a folder of the working one, which may change between runs.
    key = (file.rpartition("/")[0], "" if file.startswith("/") else os.getcwd())  # noqa: PTH109
    found = _FOLDERS.get(key)
    if found is None:
        found = _FOLDERS[key] = _folders_of(file, campaign)
    return found


def _folders_of(file: str, campaign: Campaign) -> tuple[str, ...]:
    folder = Path(file).absolute().parent
    try:
        return folder.relative_to(campaign.root).parts
    except ValueError:
        return folder.parts[-1:]
