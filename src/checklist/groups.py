"""Liaison groups (联络组): which groups cover a unit, and where they overlap.

The groups form a forest: a group names its ``subgroups``, and covers their units as
well as its own. A unit's groups are therefore closed upwards (a subgroup's unit is
its parent's), and two groups share a unit unintentionally when neither is above the
other and neither (nor a group above it) names the other in ``overlaps``.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from checklist.model import Campaign, Item, LiaisonGroup, Unit

if TYPE_CHECKING:  # rollup and trend import filters, which imports this module
    from checklist.rollup import By, Rollup, Sort
    from checklist.trend import Standings, Trend


def owns(group: LiaisonGroup, *, county: str, sector: str | None, unit_id: str) -> bool:
    """The unit is the group's own: named by id, or matching its counties and sectors.

    A unit that names no sector goes by its county alone, so that a campaign can start
    sorting units by sector without losing those not yet sorted from their county's group.
    """
    if unit_id in group.units:
        return True
    if group.counties:
        return county in group.counties and (
            not group.sectors or sector is None or sector in group.sectors
        )
    return sector in group.sectors


@functools.lru_cache(maxsize=16)
def parents(campaign: Campaign) -> dict[str, str]:
    """Each subgroup's one parent, by name (the campaign's rules make it one)."""
    return {child: group.name for group in campaign.groups for child in group.subgroups}


def top_groups(campaign: Campaign) -> tuple[LiaisonGroup, ...]:
    """The groups no group names as a subgroup: the rows of ``rollup --by group``."""
    above = parents(campaign)
    return tuple(g for g in campaign.groups if g.name not in above)


def lineage(campaign: Campaign, name: str) -> tuple[str, ...]:
    """The group and every group above it, nearest first (a cycle stops the walk)."""
    above = parents(campaign)
    chain = [name]
    while chain[-1] in above and above[chain[-1]] not in chain:
        chain.append(above[chain[-1]])
    return tuple(chain)


def covering(
    campaign: Campaign, *, county: str, sector: str | None, unit_id: str
) -> tuple[str, ...]:
    """Every group that covers the unit, in the campaign's order: its own, and those above."""
    found: set[str] = set()
    for group in campaign.groups:
        if owns(group, county=county, sector=sector, unit_id=unit_id):
            found.update(lineage(campaign, group.name))
    return tuple(g.name for g in campaign.groups if g.name in found)


def unit_groups(campaign: Campaign, unit: Unit) -> tuple[str, ...]:
    """``covering`` for a built unit."""
    return covering(campaign, county=unit.county, sector=unit.sector, unit_id=unit.id)


def members(campaign: Campaign, units: Iterable[Unit], name: str) -> list[Unit]:
    """The units group ``name`` covers, in the order given."""
    return [u for u in units if name in unit_groups(campaign, u)]


def clashes(campaign: Campaign, groups: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    """Pairs of groups that share a unit covering ``groups`` without meaning to.

    Only the highest such pairs: two top-level groups, or two subgroups of one parent
    (the groups above a shared unit's groups share it by construction).
    """
    held = set(groups)
    above = parents(campaign)
    siblings: dict[str | None, list[str]] = {}
    for name in groups:
        siblings.setdefault(above.get(name) if above.get(name) in held else None, []).append(name)
    for names in siblings.values():
        for i, first in enumerate(names):
            for second in names[i + 1 :]:
                if not _intended(campaign, first, second):
                    yield first, second


def _intended(campaign: Campaign, first: str, second: str) -> bool:
    mine, theirs = lineage(campaign, first), lineage(campaign, second)
    for a, b in ((mine, theirs), (theirs, mine)):
        for name in a:
            group = campaign.group(name)
            if group is not None and any(other in group.overlaps for other in b):
                return True
    return False


# --- rollup --by group | sector ------------------------------------------------------------

NONE_KEY = "—"  # the row of units no group covers, or that name no sector


def row_keys(campaign: Campaign, unit: Unit, by: str) -> tuple[str, ...]:
    """The rows a unit counts in: its sector, or every top-level group that covers it."""
    if by == "sector":
        return (unit.sector or NONE_KEY,)
    tops = {g.name for g in top_groups(campaign)}
    return tuple(g for g in unit_groups(campaign, unit) if g in tops) or (NONE_KEY,)


def field_rollup(
    items: Iterable[Item],
    units: Iterable[Unit],
    *,
    campaign: Campaign,
    by: By,
    sort: Sort | None,
    per_unit: Rollup | None = None,
) -> Rollup:
    """Rollup's rows by sector or by top-level group: each the sum of its member units' rows.

    A unit two groups share (on purpose: ``overlaps``) counts in both rows, and once in
    the total; units no group covers, or without a sector, make a row of their own.
    ``per_unit``: the items' roll-up by unit, when the caller has it already.
    """
    from checklist.rollup import By as ByKind
    from checklist.rollup import Counts, Row, finish, rollup

    kept = list(units)
    if per_unit is None:
        per_unit = rollup(items, kept, campaign=campaign, by=ByKind.UNIT)
    keys = {u.id: row_keys(campaign, u, by.value) for u in kept}
    names = (
        campaign.sectors if by.value == "sector" else tuple(g.name for g in top_groups(campaign))
    )
    members: dict[str, list[Row]] = {name: [] for name in (*names, NONE_KEY)}
    for row in per_unit.rows:
        for key in keys[row.key]:
            members.setdefault(key, []).append(row)
    rows = []
    for key, found in members.items():
        if not found and (key == NONE_KEY or by.value == "sector"):
            continue  # an empty group is news; an empty sector is not
        measures: dict[str, Counts] = {}
        for row in found:
            for measure, counts in row.measures.items():
                measures[measure] = measures.get(measure, Counts()) + counts
        total = sum((r.counts for r in found), Counts())
        rows.append(Row(key, key, len(found), total, measures=measures))
    result = finish(by, rows, per_unit.total.units, sort=sort)
    true_total = replace(
        result.total, counts=per_unit.total.counts, measures=per_unit.total.measures
    )
    return replace(result, total=true_total)


def field_standings(
    selected: Sequence[Item],
    units: Iterable[Unit],
    *,
    campaign: Campaign,
    as_of: dt.date,
    compare: dt.date,
    by: By,
    keys: Sequence[str],
) -> Standings:
    """Each sector's or group's light and rank (``trend.standings`` with rows of our own);
    the total's from the counties, which count every task once."""
    from checklist.trend import Standing, Standings, occurrences, ranks, standings, tally

    found = standings(
        occurrences(selected), as_of=as_of, compare=compare, lights=campaign.lights, keys=()
    )
    rows_of = {u.id: row_keys(campaign, u, by.value) for u in units}
    counted = ((key, item.due, item.done, 1) for item in selected for key in rows_of[item.unit.id])
    days = (compare, as_of) if compare < as_of else (as_of,)
    result = tally(counted, days=days, by=by.value, keys=keys)
    now, then = ranks(result.rows), ranks(result.rows, 0)
    rows = {
        row.key: Standing(
            row.last, row.last.light(campaign.lights), now.get(row.key), then.get(row.key)
        )
        for row in result.rows
    }
    return Standings(compare, campaign.lights, rows, found.total)


def field_trend(
    selected: Sequence[Item],
    units: Iterable[Unit],
    *,
    campaign: Campaign,
    days: Sequence[dt.date],
    by: By,
    keys: Sequence[str],
) -> Trend:
    """trend's rows by sector or top-level group: a unit two groups share counts in both
    rows, and once in the total (the counties', which count every task once)."""
    from checklist.trend import occurrences, tally, trend

    rows_of = {u.id: row_keys(campaign, u, by.value) for u in units}
    counted = ((key, i.due, i.done, 1) for i in selected for key in rows_of[i.unit.id])
    result = tally(counted, days=days, by=by.value, keys=keys)
    return replace(result, total=trend(occurrences(selected), days=days).total)
