"""Roll-ups as tables and JSON, and what every report shows around its rows; the field
names of the JSON are a contract."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from checklist.i18n import Lang, t
from checklist.model import Campaign
from checklist.render.table import Column, Mark, Table, write, write_note

if TYPE_CHECKING:  # status needs none of the roll-up's modules: they load with it
    from checklist.rollup import By, Counts, Rollup, Row
    from checklist.trend import Standings

SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True)
class Page:
    """What a report shows around its rows: whose, in which words, on which day, what is missing."""

    campaign: Campaign
    lang: Lang
    as_of: dt.date
    soon_days: int
    skipped: int  # unit files with problems, counted out
    standings: Standings | None = None  # rollup: each row's light and rank


# --- rollup -----------------------------------------------------------------------


def _percent(value: float | None, *, plain: bool = False) -> str:
    if plain:  # CSV: a number a spreadsheet sums, in percent, under a "… %" header
        return "" if value is None else f"{value * 100:.1f}"
    return "—" if value is None else f"{value * 100:.1f}%"


# The order in which a narrow terminal hides roll-up columns; the name, Done, Overdue,
# Done % and Note always show (measure columns give way last, the last measure first).
_ROLLUP_GIVE_WAY = {
    "postponed": 1,
    "done_late": 2,
    "expected": 3,
    "code": 4,
    "county": 4,
    "on_time": 5,
    "open": 6,
    "units": 7,
    "due_soon": 8,
    "missing": 9,
    "tasks": 10,
}
_MEASURE_GIVE_WAY = 100


def row_name(row: Row, by: By, lang: Lang) -> str:
    """A roll-up row's name as shown: the total and the levels in words of ``lang``."""
    from checklist.groups import NONE_KEY
    from checklist.rollup import By

    if row.key == "total" and row.name == "total":
        return t("total", lang)
    if by is By.LEVEL:
        return t(f"level.{row.key}", lang)
    if by in (By.GROUP, By.SECTOR) and row.key == NONE_KEY:
        return t(f"{by.value}.none", lang)
    return row.name


def row_mark(row: Row, *, total: bool) -> Mark:
    """How a roll-up row stands out: the total, the worst rows, then those missing units."""
    if total:
        return Mark.TOTAL
    if row.worst:
        return Mark.BAD
    return Mark.WARN if row.missing_units else Mark.NONE


def rollup_table(
    result: Rollup,
    campaign: Campaign,
    lang: Lang,
    *,
    measures: bool,
    as_of: dt.date,
    csv: bool = False,
) -> Table:
    """The roll-up rows and total; for ``csv`` every count and percentage a bare number."""
    from checklist.rollup import By, Counts

    by = result.by
    expected = by is By.COUNTY and any(c.expected_units is not None for c in campaign.counties)
    give = _ROLLUP_GIVE_WAY.get
    columns = [Column(t(by.value, lang), shrink_to=12)]
    if by is By.COUNTY:
        columns.insert(0, Column(t("code", lang), give_way=give("code"), code=True))
    if by is By.UNIT:
        columns.insert(0, Column(t("county", lang), shrink_to=6, give_way=give("county")))
    columns.append(Column(t("units", lang), numeric=True, give_way=give("units")))
    if expected:
        columns += [
            Column(t("expected", lang), numeric=True, give_way=give("expected")),
            Column(t("missing", lang), numeric=True, blank_zero=True, give_way=give("missing")),
        ]
    columns += [
        Column(t(key, lang), numeric=True, give_way=give(key))
        for key in (
            "tasks",
            "done",
            "done_late",
            "open",
            "overdue",
            "due_soon",
            "postponed",
            "completion",
            "on_time",
        )
    ]
    if measures and csv:
        # One number per cell: "6/7 (1)" would be a date or text in a spreadsheet.
        columns += [
            Column(f"{m.name} {t(key, lang)}", numeric=True)
            for m in campaign.measures
            for key in ("done", "tasks", "overdue")
        ]
    elif measures:
        count = len(campaign.measures)
        columns += [
            Column(m.name, numeric=True, give_way=_MEASURE_GIVE_WAY + count - k)
            for k, m in enumerate(campaign.measures)
        ]
    columns.append(Column(t("note", lang)))
    rows, marks = [], []
    for row in (*result.rows, result.total):
        is_total = row is result.total
        cells = [row_name(row, by, lang)]
        if by is By.COUNTY:
            cells.insert(0, "" if is_total else row.key)
        if by is By.UNIT:
            county = campaign.county(row.county or "")
            cells.insert(0, county.name if county and not is_total else "")
        cells.append(str(row.units))
        if expected:
            missing = row.missing_units
            cells += [
                "" if row.expected_units is None else str(row.expected_units),
                "" if missing is None else str(missing),
            ]
        c = row.counts
        cells += [
            str(c.tasks),
            str(c.done),
            str(c.done_late),
            str(c.open),
            str(c.overdue),
            str(c.due_soon),
            str(c.postponed),
            _percent(c.completion, plain=csv),
            _percent(c.on_time, plain=csv),
        ]
        if measures and csv:
            for m in campaign.measures:
                mc = row.measures.get(m.key, Counts())
                cells += [str(mc.done), str(mc.tasks), str(mc.overdue)]
        elif measures:
            cells += [_measure_cell(row.measures.get(m.key, Counts())) for m in campaign.measures]
        cells.append(t("worst", lang) if row.worst else "")
        rows.append(tuple(cells))
        marks.append(row_mark(row, total=is_total))
    title = t("rollup.title", lang, by=t(by.value, lang), as_of=as_of.isoformat())
    return Table(tuple(columns), tuple(rows), tuple(marks), title, lang)


def _measure_cell(counts: Counts) -> str:
    """done/tasks, and the overdue count in parentheses when there is any."""
    cell = f"{counts.done}/{counts.tasks}"
    return f"{cell} ({counts.overdue})" if counts.overdue else cell


def _counts_dict(counts: Counts) -> dict[str, Any]:
    return {
        "tasks": counts.tasks,
        "done": counts.done,
        "done_late": counts.done_late,
        "open": counts.open,
        "overdue": counts.overdue,
        "due_soon": counts.due_soon,
        "postponed": counts.postponed,
        "completion": None if counts.completion is None else round(counts.completion, 4),
        "on_time": None if counts.on_time is None else round(counts.on_time, 4),
    }


def row_to_dict(row: Row, by: By, *, measures: bool) -> dict[str, Any]:
    from checklist.rollup import By

    document: dict[str, Any] = {
        "key": row.key,
        "name": row.name,
        "county": row.county if by in (By.COUNTY, By.UNIT) else None,
        "units": row.units,
        "expected_units": row.expected_units,
        "missing_units": row.missing_units,
        **_counts_dict(row.counts),
        "worst": row.worst,
    }
    if measures:
        document["measures"] = {k: _counts_dict(c) for k, c in row.measures.items()}
    return document


def write_rollup_json(result: Rollup, out: IO[str], page: Page, *, measures: bool) -> None:
    document = {
        "schema_version": SCHEMA_VERSION,
        "as_of": page.as_of.isoformat(),
        "soon_days": page.soon_days,
        "by": str(result.by),
        "skipped_files": page.skipped,
        "rows": [row_to_dict(r, result.by, measures=measures) for r in result.rows],
        "total": row_to_dict(result.total, result.by, measures=measures),
    }
    if page.standings is not None:
        from checklist.render.lights import with_standings_json

        document = with_standings_json(document, result, page.standings)
    json.dump(document, out, ensure_ascii=False, indent=2)
    out.write("\n")


def write_rollup(
    result: Rollup,
    out: IO[str],
    output_format: str,
    page: Page,
    *,
    measures: bool,
    wide: bool = False,
    lights: bool = False,
    rank: bool = False,
) -> None:
    """The roll-up in a format; the page's standings in JSON, in a table as asked."""
    if output_format == "json":
        write_rollup_json(result, out, page, measures=measures)
        return
    table = rollup_table(
        result,
        page.campaign,
        page.lang,
        measures=measures,
        as_of=page.as_of,
        csv=output_format == "csv",
    )
    if page.standings is not None and (lights or rank):
        from checklist.render.lights import with_standings

        csv = output_format == "csv"
        table = with_standings(table, result, page.standings, page.lang, lights, rank, csv)
    write(table, output_format, out, wide=wide)
    if rank and page.standings is not None and output_format == "table":
        write_note(t("rank.note", page.lang, compare=page.standings.compare.isoformat()), out)


def overdue_header(campaign: Campaign) -> str:
    """The catalogue key of the days-overdue column: calendar days or working days."""
    return "workdays_overdue" if campaign.calendar.count == "workdays" else "days_overdue"
