"""The bulletin (通报): the office's report for the period ending on the report day.

Every number is rollup's: the rows of ``rollup --format json`` on the report day and
on the last day of the previous period, so a bulletin never says what a roll-up
would not. Areas (counties or liaison groups) are ranked by on-time %.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass, replace

from checklist.filters import Filters
from checklist.model import Campaign, Item, Unit
from checklist.rollup import By, Counts, Rollup, Row, finish, rollup, select
from checklist.trend import Light

BEHIND_UNITS = 5  # units named as furthest behind


class Period(enum.StrEnum):
    WEEK = "week"
    DEKAD = "dekad"  # 旬: ends on the 10th, the 20th and the last day of a month
    MONTH = "month"


def previous_end(as_of: dt.date, period: Period) -> dt.date:
    """The last day of the previous period: the day the changes are counted from."""
    if period is Period.WEEK:
        return as_of - dt.timedelta(days=7)
    if period is Period.MONTH:
        return as_of.replace(day=1) - dt.timedelta(days=1)
    if as_of.day > 20:
        return as_of.replace(day=20)
    if as_of.day > 10:
        return as_of.replace(day=10)
    return as_of.replace(day=1) - dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Area:
    """One county or group (or the total) now and at the end of the previous period."""

    key: str
    name: str
    units: int
    tasks: int
    done: int
    overdue: int
    on_time: float | None
    completion: float | None
    done_before: int
    on_time_before: float | None
    light: Light | None
    rank: int | None  # by on-time %, highest first; None without a share
    missing_units: int | None
    expected_units: int | None
    county: str | None  # the county's name, for a unit

    @property
    def done_in_period(self) -> int:
        return self.done - self.done_before

    @property
    def on_time_change(self) -> float | None:
        """Percentage points since the previous period."""
        if self.on_time is None or self.on_time_before is None:
            return None
        return round((self.on_time - self.on_time_before) * 100, 1)


@dataclass(frozen=True, slots=True)
class Bulletin:
    campaign: str
    period: Period
    since: dt.date  # the previous period's last day
    as_of: dt.date
    by: By
    areas: tuple[Area, ...]  # ranked
    total: Area
    behind: tuple[Area, ...]  # the units furthest behind: most overdue, then lowest on time
    missing: tuple[Area, ...]  # counties short of their expected unit files
    title: str | None = None  # [bulletin] title: the office's own, instead of the made one
    issue: int = 1  # the period's place in the campaign: its document number (文号)


def build_bulletin(
    units: Iterable[Unit],
    *,
    campaign: Campaign,
    as_of: dt.date,
    period: Period,
    soon: int,
    filters: Filters,
    by: By = By.COUNTY,
) -> Bulletin:
    """The bulletin of the period ending on ``as_of``, from rollup's rows on both days.

    Each day's tasks are selected once and rolled up once, by unit; the counties' and
    groups' rows are sums of those (as rollup's are), and only the report day's are lit.
    """
    kept_units = list(units)
    since = max(previous_end(as_of, period), campaign.start)
    now = _Day.of(kept_units, campaign, as_of, soon, filters)
    before = _Day.of(kept_units, campaign, since, soon, filters)
    now_rows, total = now.rows(by)
    before_rows, total_before = before.rows(by)
    lights = now.lights(campaign, by, tuple(now_rows))
    areas = [_area(r, before_rows.get(r.key), lights.get(r.key)) for r in now_rows.values()]
    ranked = sorted(areas, key=lambda a: (a.on_time is None, -(a.on_time or 0), a.key))
    ranks = _ranks([a.on_time for a in ranked])
    ranked = [_ranked(a, rank) for a, rank in zip(ranked, ranks, strict=True)]
    unit_before = {r.key: r for r in before.per_unit.rows}
    late = [
        replace(_area(r, unit_before.get(r.key), None), county=_county_name(campaign, r.county))
        for r in now.per_unit.rows
        if r.counts.overdue
    ]
    late.sort(key=lambda a: (-a.overdue, a.on_time if a.on_time is not None else 2.0, a.key))
    counties = now_rows if by is By.COUNTY else now.rows(By.COUNTY)[0]
    missing = [_area(r, None, None) for r in counties.values() if r.missing_units]
    return Bulletin(
        campaign.name,
        period,
        since,
        as_of,
        by,
        tuple(ranked),
        _area(total, total_before, lights["total"]),
        tuple(late[:BEHIND_UNITS]),
        tuple(missing),
        campaign.bulletin.title,
        issue_number(campaign.start, as_of, period),
    )


@dataclass(frozen=True, slots=True)
class _Day:
    """One day's selected tasks and their roll-up by unit, the rest summed from it."""

    on: dt.date
    selected: list[Item]
    kept: list[Unit]
    view: Campaign
    per_unit: Rollup

    @classmethod
    def of(
        cls, units: list[Unit], campaign: Campaign, on: dt.date, soon: int, filters: Filters
    ) -> _Day:
        selected, kept, view = select(
            units, campaign=campaign, as_of=on, soon=soon, filters=filters
        )
        return cls(on, selected, kept, view, rollup(selected, kept, campaign=view, by=By.UNIT))

    def rows(self, by: By) -> tuple[dict[str, Row], Row]:
        """rollup's rows by county or group (or sector), and its total."""
        if by in (By.GROUP, By.SECTOR):
            from checklist.groups import field_rollup

            result = field_rollup(
                self.selected,
                self.kept,
                campaign=self.view,
                by=by,
                sort=None,
                per_unit=self.per_unit,
            )
        else:
            summed = _by_county(self.per_unit, self.kept, self.view)
            # two units of one id make one row, in no one county: counted afresh
            result = summed or rollup(self.selected, self.kept, campaign=self.view, by=by)
        return {r.key: r for r in result.rows}, result.total

    def lights(self, campaign: Campaign, by: By, keys: tuple[str, ...]) -> dict[str, Light | None]:
        """Each row's light and the total's, as ``trend.rollup_standings`` gives them."""
        from checklist.trend import occurrences, standings

        if by in (By.GROUP, By.SECTOR):
            from checklist.groups import field_standings

            found = field_standings(
                self.selected, self.kept, campaign=self.view, as_of=self.on, compare=self.on,
                by=by, keys=keys,
            )  # fmt: skip
        else:
            found = standings(
                occurrences(self.selected),
                as_of=self.on,
                compare=self.on,
                lights=campaign.lights,
                by=by.value,
                keys=keys,
            )
        lights: dict[str, Light | None] = {k: s.light for k, s in found.rows.items()}
        lights["total"] = found.total.light
        return lights


def issue_number(start: dt.date, as_of: dt.date, period: Period) -> int:
    """Which of the campaign's periods ends on ``as_of``, its first being 1: weeks from
    the start day, dekads and months by the calendar (a partial first one counts)."""
    if period is Period.WEEK:
        return max(0, (as_of - start).days) // 7 + 1

    def place(day: dt.date) -> int:
        months = day.year * 12 + day.month
        return months * 3 + min((day.day - 1) // 10, 2) if period is Period.DEKAD else months

    return max(1, place(as_of) - place(start) + 1)


def _by_county(per_unit: Rollup, kept: list[Unit], view: Campaign) -> Rollup | None:
    """rollup by county as the sum of its units' rows: each county of the view, in order,
    with every unit kept in it (a unit without a selected task too); None when two
    units share an id, whose one row cannot be split between counties."""
    counted = {u.id: u.county for u in kept}
    if len(counted) != len(kept):
        return None
    rows_of: dict[str, list[Row]] = {c.code: [] for c in view.counties}
    units_in: dict[str, int] = dict.fromkeys(rows_of, 0)
    for unit in kept:
        if unit.county in units_in:
            units_in[unit.county] += 1
    for row in per_unit.rows:
        if counted.get(row.key) in rows_of:
            rows_of[counted[row.key]].append(row)
    rows = []
    for county in view.counties:
        found = rows_of[county.code]
        measures: dict[str, Counts] = {}
        for row in found:
            for measure, counts in row.measures.items():
                measures[measure] = measures.get(measure, Counts()) + counts
        total = sum((r.counts for r in found), Counts())
        rows.append(
            Row(
                county.code,
                county.name,
                units_in[county.code],
                total,
                county.expected_units,
                county.code,
                measures,
            )
        )
    return finish(By.COUNTY, rows, sum(units_in.values()))


def _area(row: Row, before: Row | None, light: Light | None) -> Area:
    counts = row.counts
    return Area(
        row.key,
        row.name,
        row.units,
        counts.tasks,
        counts.done,
        counts.overdue,
        counts.on_time,
        counts.completion,
        before.counts.done if before else 0,
        before.counts.on_time if before else None,
        light,
        None,
        row.missing_units,
        row.expected_units,
        row.county,
    )


def _county_name(campaign: Campaign, code: str | None) -> str | None:
    county = campaign.county(code) if code else None
    return county.name if county else code


def _ranks(shares: list[float | None]) -> list[int | None]:
    """Places by share, equal shares sharing one (1, 1, 3); no share, no place."""
    found: list[int | None] = []
    for place, share in enumerate(shares, 1):
        if share is None:
            found.append(None)
        elif place > 1 and shares[place - 2] == share:
            found.append(found[-1])
        else:
            found.append(place)
    return found


def _ranked(area: Area, rank: int | None) -> Area:
    return replace(area, rank=rank)
