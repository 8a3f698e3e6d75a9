"""The ledger (台账): the roll-ups (by county, by liaison group), the pressing tasks and each
county's tasks, as sheets.

Also the one-sheet workbooks of ``status`` and ``rollup --format xlsx``. The rows are
those of the reports (status.listed, rollup.rollup); only the cells are typed here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from checklist.i18n import Lang, t
from checklist.model import Campaign, Item, State
from checklist.render.report import overdue_header, row_mark, row_name
from checklist.render.xlsx import Field, Kind, Sheet, Value
from checklist.rollup import By, Counts, Rollup
from checklist.status import Entry, entry_of

if TYPE_CHECKING:
    from checklist.trend import Standing, Standings

_COUNTS = ("tasks", "done", "done_late", "open", "overdue", "due_soon", "postponed")


# --- roll-up ----------------------------------------------------------------------


def rollup_sheet(
    result: Rollup,
    campaign: Campaign,
    lang: Lang,
    *,
    name: str,
    measures: bool = False,
    standings: Standings | None = None,
) -> Sheet:
    """Every count of ``rollup``, done % and on-time % as shares, missing units, worst rows;
    with ``standings``, each row's expected progress, points behind and light."""
    by = result.by
    expected = by is By.COUNTY and any(c.expected_units is not None for c in campaign.counties)
    fields = [Field(t(by.value, lang))]
    if by is By.COUNTY:
        fields.insert(0, Field(t("code", lang), Kind.CODE))
    if by is By.UNIT:
        fields.insert(0, Field(t("county", lang)))
    fields.append(Field(t("units", lang), Kind.COUNT))
    if expected:
        fields += [Field(t("expected", lang), Kind.COUNT), Field(t("missing", lang), Kind.COUNT)]
    fields += [Field(t(key, lang), Kind.COUNT) for key in _COUNTS]
    fields += [Field(t("completion", lang), Kind.PERCENT), Field(t("on_time", lang), Kind.PERCENT)]
    if standings:
        fields += [
            Field(t("expected_share", lang), Kind.PERCENT),
            Field(t("behind", lang), Kind.POINTS),
            Field(t("light", lang)),
        ]
    if measures:  # one number per cell, as in CSV
        fields += [
            Field(f"{m.name} {t(key, lang)}", Kind.COUNT)
            for m in campaign.measures
            for key in ("done", "tasks", "overdue")
        ]
    fields.append(Field(t("note", lang)))
    rows, marks = [], []
    for row in (*result.rows, result.total):
        is_total = row is result.total
        cells: list[Value] = [row_name(row, by, lang)]
        if by is By.COUNTY:
            cells.insert(0, None if is_total else row.key)
        if by is By.UNIT:
            county = campaign.county(row.county or "")
            cells.insert(0, county.name if county and not is_total else None)
        cells.append(row.units)
        if expected:
            cells += [row.expected_units, row.missing_units]
        c = row.counts
        cells += [getattr(c, key) for key in _COUNTS]
        cells += [c.completion, c.on_time]
        if standings:
            standing = standings.total if is_total else standings.rows.get(row.key)
            cells += _standing_cells(standing, lang)
        if measures:
            for m in campaign.measures:
                mc = row.measures.get(m.key, Counts())
                cells += [mc.done, mc.tasks, mc.overdue]
        cells.append(t("worst", lang) if row.worst else None)
        rows.append(tuple(cells))
        marks.append(row_mark(row, total=is_total))
    return Sheet(name, tuple(fields), tuple(rows), tuple(marks))


def _standing_cells(standing: Standing | None, lang: Lang) -> list[Value]:
    point = standing.point if standing else None
    expected = None if point is None or point.expected is None else float(point.expected)
    behind = None if point is None or point.behind is None else float(point.behind)
    light = t(f"light.{standing.light}", lang) if standing and standing.light else None
    return [expected, behind, light]


# --- tasks ------------------------------------------------------------------------


def task_sheet(
    entries: Sequence[Entry],
    campaign: Campaign,
    lang: Lang,
    *,
    name: str,
    county: bool = True,
    done: bool = True,
    state: bool = True,
    postponed: bool = True,
) -> Sheet:
    """One row per task occurrence: where it stands, and whether and why it was postponed."""
    counties = {c.code: c.name for c in campaign.counties}
    measures = {m.key: m.name for m in campaign.measures}
    fields = [Field(t("county", lang))] if county else []
    fields += [
        Field(t("unit", lang)),
        Field(t("measure", lang)),
        Field(t("task", lang)),
        Field(t("owner", lang)),
        Field(t("due", lang), Kind.DATE),
    ]
    if done:
        fields.append(Field(t("done_on", lang), Kind.DATE))
    if state:
        fields.append(Field(t("state", lang), Kind.STATE))
    fields.append(Field(t(overdue_header(campaign), lang), Kind.COUNT))
    if postponed:
        fields += [Field(t("postponed_from", lang), Kind.DATE), Field(t("reason", lang))]
    rows = []
    for entry in entries:
        cells: list[Value] = [counties.get(entry.county, entry.county)] if county else []
        cells += [
            entry.unit_name,
            measures.get(entry.measure, entry.measure),
            entry.listed_title,
            entry.owner,
            entry.due,
        ]
        if done:
            cells.append(entry.done)
        if state:
            cells.append(entry.state)
        cells.append(entry.days_overdue)
        if postponed:
            cells += [entry.postponed_from, entry.postpone_reason]
        rows.append(tuple(cells))
    return Sheet(name, tuple(fields), tuple(rows))


def status_sheet(
    listed: Sequence[Entry], campaign: Campaign, lang: Lang, *, everything: bool, soon: bool
) -> Sheet:
    """``status --format xlsx``: the columns of the status table, typed."""
    several = any(i.state is not State.OVERDUE for i in listed)
    key = "section.all" if everything else "xlsx.sheet.pressing" if soon else "section.overdue"
    return task_sheet(
        listed, campaign, lang, name=t(key, lang), done=everything, state=several, postponed=False
    )


def ledger_sheets(
    result: Rollup,
    items: Sequence[Item],
    pressing: Sequence[Item],
    campaign: Campaign,
    lang: Lang,
    standings: Standings | None = None,
    groups: tuple[Rollup, Standings] | None = None,
) -> list[Sheet]:
    """The summary, the liaison groups' roll-up (``groups``: ``rollup --by group``'s rows and
    standings, when the campaign has groups), the overdue and due-soon tasks (``pressing``,
    in order), then each county's.

    A county sheet lists its units' tasks unit by unit, in the order the files give them.
    """
    sheets = [
        rollup_sheet(
            result, campaign, lang, name=t("xlsx.sheet.summary", lang), standings=standings
        )
    ]
    if groups is not None:
        by_group, group_standings = groups
        name = t("xlsx.sheet.groups", lang)
        sheets.append(rollup_sheet(by_group, campaign, lang, name=name, standings=group_standings))
    pressed = [entry_of(i) for i in pressing]
    sheets.append(
        task_sheet(pressed, campaign, lang, name=t("xlsx.sheet.pressing", lang), done=False)
    )
    by_county: dict[str, list[Entry]] = {row.key: [] for row in result.rows}
    for item in items:
        by_county.setdefault(item.unit.county, []).append(entry_of(item))
    names = {c.code: c.name for c in campaign.counties}
    for code, its in by_county.items():
        its.sort(key=lambda e: e.unit)  # stable: each unit's tasks keep their order
        sheets.append(task_sheet(its, campaign, lang, name=names.get(code, code), county=False))
    return sheets
