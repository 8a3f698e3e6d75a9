"""Narrowing a report by county, unit, owner, measure, level or state."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from checklist.errors import UsageError, guess_zh
from checklist.groups import owns, parents
from checklist.model import Campaign, Item, Level, LiaisonGroup, State, Unit
from checklist.words import did_you_mean, quote


@dataclass(frozen=True, slots=True)
class Filters:
    """What to keep; an empty field keeps everything. Values within a field are alternatives."""

    counties: frozenset[str] = frozenset()  # county codes
    units: frozenset[str] = frozenset()
    owners: frozenset[str] = frozenset()  # names or addresses, as written
    measures: frozenset[str] = frozenset()  # measure keys
    levels: frozenset[Level] = frozenset()
    states: frozenset[State] = frozenset()
    # The chosen liaison groups and every group below them: a unit any of them owns is kept.
    groups: tuple[LiaisonGroup, ...] = ()

    def keep_unit(self, unit: Unit) -> bool:
        return (not self.counties or unit.county in self.counties) and (
            (not self.units or unit.id in self.units)
            and (not self.levels or unit.level in self.levels)
            and (not self.groups or self._in_groups(unit))
        )

    def _in_groups(self, unit: Unit) -> bool:
        county, sector = unit.county, unit.sector
        return any(owns(g, county=county, sector=sector, unit_id=unit.id) for g in self.groups)

    @property
    def everything(self) -> bool:
        return not (
            self.counties
            or self.units
            or self.owners
            or self.measures
            or self.levels
            or self.states
            or self.groups
        )

    def select(self, items: Iterable[Item]) -> list[Item]:
        """The items the filters keep; all of them, without a test each, when there are none."""
        return list(items) if self.everything else [i for i in items if self.keep(i)]

    def view(self, campaign: Campaign, units: Iterable[Unit]) -> Campaign:
        """The campaign as the filters narrow it: only the chosen counties and measures get rows.

        Chosen units bring their counties (``units``: the units that are kept).
        """
        counties = set(self.counties)
        if self.units or self.groups:
            counties |= {u.county for u in units}
        return replace(
            campaign,
            counties=tuple(c for c in campaign.counties if not counties or c.code in counties),
            measures=tuple(
                m for m in campaign.measures if not self.measures or m.key in self.measures
            ),
        )

    def keep(self, item: Item) -> bool:
        owner = item.task.owner
        return (
            self.keep_unit(item.unit)
            and (not self.measures or item.task.measure in self.measures)
            and (
                not self.owners or owner.name in self.owners or (owner.address or "") in self.owners
            )
            and (not self.states or item.state in self.states)
        )


def _pick(option: str, given: Sequence[str], known: dict[str, str]) -> frozenset[str]:
    """Map each given value to its canonical one, or fail with the nearest known value."""
    chosen = set()
    for value in given:
        if value in known:
            chosen.add(known[value])
            continue
        guess = did_you_mean(value, list(known))
        hint = f'; did you mean "{guess}"?' if guess else ""
        first = list(dict.fromkeys(known.values()))[:8]
        sample = ", ".join(first)
        more = "…" if len(known) > 8 else ""
        # A clerk knows a county by its name: 410102(中原区).
        names = {v: k for k, v in reversed(known.items()) if k != v}
        sample_zh = "、".join(f"{v}({names[v]})" if v in names else v for v in first)
        raise UsageError(
            f"{option}: no such value {value!r}{hint} (known: {sample}{more})",
            zh=f"{option} 填的 {quote(value)} 找不到{guess_zh(guess)}(可以填:{sample_zh}{more})",
        )
    return frozenset(chosen)


def make_filters(
    campaign: Campaign,
    units: Iterable[Unit],
    *,
    county: Sequence[str] = (),
    unit: Sequence[str] = (),
    owner: Sequence[str] = (),
    measure: Sequence[str] = (),
    level: Sequence[str] = (),
    state: Sequence[str] = (),
    group: Sequence[str] = (),
) -> Filters:
    """Check filter values against the campaign and its units; unknown ones are usage errors."""
    units = list(units)
    people = ((t.owner.name, t.owner.address) for u in units for t in u.tasks)
    return filters_of(
        campaign,
        [u.id for u in units],
        people,
        county=county,
        unit=unit,
        owner=owner,
        measure=measure,
        level=level,
        state=state,
        group=group,
    )


def filters_of(
    campaign: Campaign,
    unit_ids: Sequence[str],
    owners_given: Iterable[tuple[str, str | None]],
    *,
    county: Sequence[str] = (),
    unit: Sequence[str] = (),
    owner: Sequence[str] = (),
    measure: Sequence[str] = (),
    level: Sequence[str] = (),
    state: Sequence[str] = (),
    group: Sequence[str] = (),
) -> Filters:
    """make_filters from the units' ids and their tasks' owners (name, address), in order."""
    counties = {c.code: c.code for c in campaign.counties} | {
        c.name: c.code for c in campaign.counties
    }
    measures = {m.key: m.key for m in campaign.measures} | {
        m.name: m.key for m in campaign.measures
    }
    owners: dict[str, str] = {}
    for name, address in owners_given if owner else ():
        owners[name] = name
        if address:
            owners[address] = address
    return Filters(
        counties=_pick("--county", county, counties),
        units=_pick("--unit", unit, {i: i for i in unit_ids}) if unit else frozenset(),
        owners=_pick("--owner", owner, owners) if owner else frozenset(),
        measures=_pick("--measure", measure, measures),
        levels=frozenset(
            Level(v) for v in _pick("--level", level, {v.value: v.value for v in Level})
        ),
        states=frozenset(
            State(v) for v in _pick("--state", state, {v.value: v.value for v in State})
        ),
        groups=_groups(
            campaign, _pick("--group", group, {g.name: g.name for g in campaign.groups})
        ),
    )


def _groups(campaign: Campaign, chosen: frozenset[str]) -> tuple[LiaisonGroup, ...]:
    """The chosen groups and all below them, whose own units the chosen ones cover."""
    above = parents(campaign)
    below = set(chosen)
    while grown := {c for c, p in above.items() if p in below} - below:
        below |= grown
    return tuple(g for g in campaign.groups if g.name in below)
