"""What status, rollup and remind report on: campaign, report day, units and filters, built once.

Commands declare the shared options (cli/options.py); the scope reads them by name
from the parsed parameters, so each is turned into a value in one place.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from checklist.errors import ChecklistError
from checklist.i18n import Lang

if TYPE_CHECKING:
    from checklist.filters import Filters
    from checklist.indexed import Index
    from checklist.load.discover import Found
    from checklist.load.store import Store
    from checklist.model import Campaign, Item, Unit


@dataclass(frozen=True, slots=True)
class Scope:
    campaign: Campaign
    as_of: dt.date
    units: tuple[Unit, ...]
    filters: Filters
    lang: Lang  # --lang, else the locale's, else the campaign's (i18n.choose_lang)
    chosen_lang: Lang | None  # --lang as given
    skipped: int  # unit files with problems: counted out
    refused: int  # folders and files that could not be read: the figures lack them
    index: Index | None = None  # a warm run read from the index: no units, counts in SQL

    def items(self, *, soon: int) -> list[Item]:
        """Every task occurrence of the units on the report day, as the filters narrow them."""
        from checklist.status import items

        return self.filters.select(
            items(self.units, campaign=self.campaign, as_of=self.as_of, soon=soon)
        )


# Files changed since the index saw them that a report checks and keeps itself, so that
# the index still answers: a few edits cost their own checks, not a load of every unit.
# Beyond this (or a twentieth of the files), only when none was written just now.
RECHECKED = 64
# Files checked at once when the index lacks many: what a run holds of them at most.
KEPT_AT_ONCE = 2000


def open_scope(params: Mapping[str, Any], *, indexed: bool = False) -> Scope:
    """The scope of a report command, from its parsed parameters (``ctx.params``).

    What cannot be read at all (a folder, a file outside the campaign) is an error on
    stderr: the figures lack units nobody can count, so the command will exit 1.
    With ``indexed``, a run whose every file is in the index gets it instead of units.
    """
    from checklist import dates
    from checklist.cli.options import cli_paths, path_param
    from checklist.filters import make_filters
    from checklist.i18n import choose_lang, t
    from checklist.load.campaign import find_config, load_campaign
    from checklist.words import printable

    chosen = Lang(params["lang"]) if params.get("lang") else None
    paths, follow = cli_paths(params["paths"]), params["follow_outside"]
    campaign = load_campaign(path_param(params["config"]) or find_config(paths))
    lang = choose_lang(chosen, campaign.lang)
    day = dates.as_of(params["as_of"], timezone=campaign.timezone)
    warn_unpublished(campaign, lang)
    found = unit_files(paths, campaign, follow)
    # A done date is "in the future" against the clock, not against a report day in the past.
    today = max(dates.today(campaign.timezone), day)
    cache = open_cache(campaign, params["no_cache"])
    index = None
    # --group is a test of each unit against [[groups]]: the units' path runs it.
    if indexed and cache is not None and not follow and not params.get("group"):
        index = _indexed(cache, found.names, campaign=campaign, today=today)
    if index is None:
        from checklist.load.validate import validate

        results = validate(
            found.names, campaign=campaign, today=today, cache=cache, follow_outside=follow
        ).results
        units = tuple(r.unit for r in results if r.unit is not None)
        skipped = len(results) - len(units)
    else:
        units, skipped = (), index.skipped
    if skipped:
        print(t("skipped", lang, count=skipped), file=sys.stderr)
    for refused in found.refused:
        for problem in refused.problems:
            message = t("refused", lang, file=problem.file, message=problem.message)
            print(f"checklist: {printable(message)}", file=sys.stderr)
    given = {
        k: params.get(k) or () for k in ("county", "unit", "owner", "measure", "level", "group")
    }
    given["state"] = params.get("state") or ()
    if index is None:
        filters = make_filters(campaign, units, **given)
    else:
        from checklist.indexed import make_filters as index_filters

        filters = index_filters(index, campaign, given)
    unreadable = len(found.refused)
    return Scope(campaign, day, units, filters, lang, chosen, skipped, unreadable, index)


def _indexed(
    cache: Store, names: tuple[str, ...], *, campaign: Campaign, today: dt.date
) -> Index | None:
    """The index for these files, after checking and keeping those it lacks.

    However many (a first run, a pull of many commits), they are checked a slice at a
    time, each result written as it comes, so that a province's first run never holds
    every unit (100,000 units: 1.2 GB); then the index answers. (One pool for them all
    held 730 MB: its workers check faster than the store writes, and what they have
    checked waits in memory.) When many were written just now, the store would not
    keep them (store.RACY_SECONDS): the units' path runs.
    """
    from checklist.indexed import open_index

    stale: list[str] = []
    index = open_index(cache, names, today=today, stale=stale)
    if index is not None or not stale:
        return index  # a warm run imports none of the checks
    if len(stale) > max(RECHECKED, len(names) // 20) and not _settled(stale):
        return None
    from checklist.load.validate import recheck

    for start in range(0, len(stale), KEPT_AT_ONCE):
        recheck(stale[start : start + KEPT_AT_ONCE], campaign=campaign, today=today, cache=cache)
    return open_index(cache, names, today=today)


def _settled(files: list[str]) -> bool:
    """Whether every file was last written long enough ago for the store to keep it."""
    import os
    import time

    from checklist.load.store import RACY_SECONDS

    now = time.time()
    try:
        return all(now - os.stat(f).st_mtime >= RACY_SECONDS for f in files)  # noqa: PTH116
    except OSError:
        return False  # the units' path says what is wrong with it


def warn_unpublished(campaign: Campaign, lang: Lang, *, also: int | None = None) -> None:
    """Say on stderr which of the campaign's years (and ``also``, a year shown) its
    country's calendar does not cover."""
    if campaign.calendar.country is None:
        return
    from checklist.i18n import t
    from checklist.workdays import calendar_of

    country = campaign.calendar.country
    years = set(calendar_of(campaign.calendar).unpublished(campaign.start, campaign.end))
    for year in sorted(years | ({also} if also is not None else set())):
        print(
            f"checklist: {t('calendar.unpublished', lang, country=country, year=year)}",
            file=sys.stderr,
        )


T = TypeVar("T")


def answered(
    params: Mapping[str, Any],
    scope: Scope,
    from_index: Callable[[Index], T],
    from_units: Callable[[Scope], T],
) -> tuple[Scope, T]:
    """A report from the index when the scope has it, else from the units.

    Rows that fail their checksum on the way (DamagedError: a listed task or unit) are
    dropped from the index and the report is made from the units, checked afresh; the
    scope comes back as used.
    """
    from checklist.indexed_status import DamagedError

    if scope.index is not None:
        try:
            with scope.index:
                return scope, from_index(scope.index)
        except DamagedError:
            scope = open_scope(params)
    return scope, from_units(scope)


def compare_day(text: str | None, as_of: dt.date) -> dt.date:
    """--compare: a day up to the report day (relative forms count from it); a week before."""
    from checklist.dates import parse_day, shift
    from checklist.errors import UsageError

    if text is None:
        return shift(as_of, -7)
    day = parse_day(text, base=as_of)
    if day > as_of:
        raise UsageError(
            f"--compare {day} comes after the report day {as_of}",
            zh=f"--compare 的日期 {day} 晚于报表日期 {as_of};要和更早的一天比",
        )
    return day


def unit_files(paths: list[Path], campaign: Campaign, follow_outside: bool) -> Found:
    """The unit files under ``paths``; none at all is an error."""
    from checklist.load.discover import find

    found = find(paths, campaign, follow_outside=follow_outside)
    if not found.names and not found.refused:
        where = ", ".join(map(str, paths))
        raise ChecklistError(
            f"no unit files (*.toml) found in {where}",
            zh=f"在 {'、'.join(map(str, paths))} 里没有找到单位清单文件(*.toml)",
        )
    return found


def open_cache(campaign: Campaign, no_cache: bool) -> Store | None:
    """The cache, unless --no-cache or it is not safe to use (then a warning, and none)."""
    from checklist.load.cache import CacheRefusedError
    from checklist.load.store import Store
    from checklist.words import printable

    if no_cache:
        return None
    try:
        return Store.open(campaign)
    except CacheRefusedError as why:
        print(printable(f"checklist: warning: not using the cache: {why}"), file=sys.stderr)
        return None
