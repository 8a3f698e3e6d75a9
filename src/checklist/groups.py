"""Liaison groups (联络组): which groups cover a unit, and where they overlap.

The groups form a forest: a group names its ``subgroups``, and covers their units as
well as its own. A unit's groups are therefore closed upwards (a subgroup's unit is
its parent's), and two groups share a unit unintentionally when neither is above the
other and neither (nor a group above it) names the other in ``overlaps``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator

from checklist.model import Campaign, LiaisonGroup, Unit


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
