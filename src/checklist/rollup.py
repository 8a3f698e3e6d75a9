"""Counts per county (or level, measure, owner, unit), with a total: the weekly roll-up."""

from __future__ import annotations

import datetime as dt
import enum
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from checklist.filters import Filters
from checklist.model import Campaign, Item, Level, State, Unit
from checklist.status import items

WORST_ROWS = 3


class By(enum.StrEnum):
    COUNTY = "county"
    LEVEL = "level"
    MEASURE = "measure"
    OWNER = "owner"
    UNIT = "unit"
    GROUP = "group"  # top-level liaison groups: checklist.groups
    SECTOR = "sector"


class Sort(enum.StrEnum):
    OVERDUE = "overdue"
    COMPLETION = "completion"
    CODE = "code"


@dataclass(frozen=True, slots=True)
class Counts:
    tasks: int = 0
    done: int = 0  # done on time or late
    done_late: int = 0
    overdue: int = 0
    due_soon: int = 0
    postponed: int = 0  # tasks whose due date was moved (any state)

    @property
    def open(self) -> int:
        return self.tasks - self.done

    @property
    def completion(self) -> float | None:
        """Share of all tasks that are done."""
        return self.done / self.tasks if self.tasks else None

    @property
    def on_time(self) -> float | None:
        """Of the tasks done or already late, the share done on time."""
        settled = self.done + self.overdue
        return (self.done - self.done_late) / settled if settled else None

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.tasks + other.tasks,
            self.done + other.done,
            self.done_late + other.done_late,
            self.overdue + other.overdue,
            self.due_soon + other.due_soon,
            self.postponed + other.postponed,
        )


# What one task adds to the tally (tasks, done, done_late, overdue, due_soon) in each state.
_ONE = {
    State.DONE: (1, 1, 0, 0, 0),
    State.DONE_LATE: (1, 1, 1, 0, 0),
    State.OVERDUE: (1, 0, 0, 1, 0),
    State.DUE_SOON: (1, 0, 0, 0, 1),
    State.OPEN: (1, 0, 0, 0, 0),
}


def _tally() -> list[int]:
    """tasks, done, done_late, overdue, due_soon, postponed: summed in place, frozen at the end.

    A city's roll-up adds 170,000 tasks twice each; a new Counts per addition would be
    most of its time.
    """
    return [0, 0, 0, 0, 0, 0]


def _add(tally: list[int], one: tuple[int, ...], postponed: bool) -> None:
    tally[0] += one[0]
    tally[1] += one[1]
    tally[2] += one[2]
    tally[3] += one[3]
    tally[4] += one[4]
    tally[5] += postponed


@dataclass(frozen=True, slots=True)
class Row:
    key: str
    name: str
    units: int
    counts: Counts
    expected_units: int | None = None
    county: str | None = None  # the county code, where a row belongs to one county
    measures: Mapping[str, Counts] = field(default_factory=dict)
    worst: bool = False

    @property
    def missing_units(self) -> int | None:
        if self.expected_units is None:
            return None
        return max(self.expected_units - self.units, 0)


@dataclass(frozen=True, slots=True)
class Rollup:
    by: By
    rows: tuple[Row, ...]
    total: Row


@dataclass(slots=True)
class _Group:
    name: str
    county: str | None = None
    expected: int | None = None
    units: set[str] = field(default_factory=set)
    tally: list[int] = field(default_factory=_tally)
    measures: dict[str, list[int]] = field(default_factory=dict)
    other: str | None = None  # a longer name, for when two groups share one


def rollup(
    items: Iterable[Item],
    units: Iterable[Unit],
    *,
    campaign: Campaign,
    by: By = By.COUNTY,
    sort: Sort | None = None,
) -> Rollup:
    """Group the items, count each state, and mark the rows that fare worst."""
    if by in (By.GROUP, By.SECTOR):
        from checklist.groups import field_rollup

        return field_rollup(items, units, campaign=campaign, by=by, sort=sort)
    groups = _empty_groups(campaign, by, units)
    all_units: set[str] = set()
    for item in items:
        _, group = _group_of(item, by, groups)
        group.units.add(item.unit.id)
        all_units.add(item.unit.id)
        one, postponed = _ONE[item.state], item.task.postponed_from is not None
        _add(group.tally, one, postponed)
        measure = group.measures.get(item.task.measure)
        if measure is None:
            measure = group.measures[item.task.measure] = _tally()
        _add(measure, one, postponed)
    for unit in units:  # a unit counts in its county even when filters left no task of it
        if by is By.COUNTY and unit.county in groups:
            groups[unit.county].units.add(unit.id)
            all_units.add(unit.id)
    names = Counter(g.name for g in groups.values())
    rows = [  # two people of one name (in two units, or with two addresses) are told apart
        Row(
            key,
            g.other if names[g.name] > 1 and g.other else g.name,
            len(g.units),
            Counts(*g.tally),
            g.expected,
            g.county,
            {measure: Counts(*tally) for measure, tally in g.measures.items()},
        )
        for key, g in groups.items()
    ]
    return finish(by, rows, len(all_units), sort=sort)


def finish(by: By, rows: list[Row], all_units: int, *, sort: Sort | None = None) -> Rollup:
    """Sort the rows, mark the worst, and add the total (``all_units``: units counted)."""
    rows = _mark_worst(_sorted(rows, sort))
    total_counts = sum((r.counts for r in rows), Counts())
    total_measures: dict[str, Counts] = {}
    for row in rows:
        for key, counts in row.measures.items():
            total_measures[key] = total_measures.get(key, Counts()) + counts
    expected = [r.expected_units for r in rows if r.expected_units is not None]
    total = Row(
        "total",
        "total",
        all_units,
        total_counts,
        sum(expected) if expected else None,
        None,
        total_measures,
    )
    return Rollup(by, tuple(rows), total)


def rollup_units(
    units: Iterable[Unit],
    *,
    campaign: Campaign,
    as_of: dt.date,
    soon: int,
    filters: Filters,
    by: By = By.COUNTY,
    sort: Sort | None = None,
) -> Rollup:
    """Roll up the units and tasks the filters keep, on the report day.

    Only the chosen counties and measures get rows; under an owner or measure
    filter a unit counts only where it has a selected task.
    """
    selected, kept, view = select(units, campaign=campaign, as_of=as_of, soon=soon, filters=filters)
    return rollup(selected, kept, campaign=view, by=by, sort=sort)


def select(
    units: Iterable[Unit], *, campaign: Campaign, as_of: dt.date, soon: int, filters: Filters
) -> tuple[list[Item], list[Unit], Campaign]:
    """The items the filters keep, the units they count in, and the campaign they narrow."""
    kept = [u for u in units if filters.keep_unit(u)]
    selected = filters.select(items(kept, campaign=campaign, as_of=as_of, soon=soon))
    if filters.owners or filters.measures:
        kept = [u for u in kept if u.id in {i.unit.id for i in selected}]
    return selected, kept, filters.view(campaign, kept)


def _empty_groups(campaign: Campaign, by: By, units: Iterable[Unit]) -> dict[str, _Group]:
    """The rows that appear even with nothing in them: a county with no units is news."""
    if by is By.COUNTY:
        return {c.code: _Group(c.name, c.code, c.expected_units) for c in campaign.counties}
    if by is By.MEASURE:
        return {m.key: _Group(m.name) for m in campaign.measures}
    if by is By.LEVEL:
        return {level.value: _Group(level.value) for level in Level}
    if by is By.UNIT:
        order = {c.code: i for i, c in enumerate(campaign.counties)}
        ranked = sorted(units, key=lambda u: (order.get(u.county, len(order)), u.id))
        return {u.id: _Group(u.name, u.county) for u in ranked}
    return {}


def _group_of(item: Item, by: By, groups: dict[str, _Group]) -> tuple[str, _Group]:
    match by:
        case By.COUNTY:
            key = item.unit.county
        case By.LEVEL:
            key = item.unit.level.value
        case By.MEASURE:
            key = item.task.measure
        case By.UNIT:
            key = item.unit.id
        case By.OWNER:
            owner = item.task.owner
            key = owner.key
            if key not in groups:
                groups[key] = _Group(
                    owner.name,
                    other=f"{owner.name} <{owner.address}>"
                    if owner.address
                    else f"{owner.name} ({item.unit.name})",
                )
    return key, groups[key]


def _sorted(rows: list[Row], sort: Sort | None) -> list[Row]:
    if sort is Sort.OVERDUE:
        return sorted(rows, key=lambda r: (-r.counts.overdue, r.key))
    if sort is Sort.COMPLETION:
        return sorted(rows, key=lambda r: (_or(r.counts.completion), r.key))
    if sort is Sort.CODE:
        return sorted(rows, key=lambda r: r.key)
    return rows


def _or(value: float | None, default: float = 2.0) -> float:
    return default if value is None else value


def _mark_worst(rows: list[Row]) -> list[Row]:
    """Mark the rows with the lowest on-time share among those with overdue tasks.

    At most three, and at most a quarter of the rows: "worst" of two levels says nothing.
    """
    late = [r for r in rows if r.counts.overdue]
    late.sort(key=lambda r: (_or(r.counts.on_time), -r.counts.overdue, r.key))
    worst = {r.key for r in late[: min(WORST_ROWS, len(rows) // 4)]}
    return [replace(r, worst=r.key in worst) for r in rows]
