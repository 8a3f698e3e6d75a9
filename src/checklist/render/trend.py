"""The trend as a table (a sparkline on a terminal), JSON and CSV; JSON's names are a contract."""

from __future__ import annotations

import json
from collections.abc import Sequence
from fractions import Fraction
from typing import IO, Any

from checklist.i18n import Lang, t
from checklist.model import Lights
from checklist.render import console, plain_stream
from checklist.render.lights import light_cell, light_column, percent, points, share
from checklist.render.report import SCHEMA_VERSION, Page
from checklist.render.table import Column, Mark, Table, write
from checklist.trend import Every, Point, Series, Trend

BARS = "▁▂▃▄▅▆▇█"
SPARK_WIDTH = 30  # at most this many bars: a campaign's days are shown by sampling them


def sparkline(values: Sequence[float | Fraction | None], width: int = SPARK_WIDTH) -> str:
    """Shares from 0 to 1 as bars, ▁ for nothing done and █ for all; a blank for no share.

    The scale is absolute, so two rows' lines compare; a long series is sampled evenly,
    its first and last values always kept.
    """
    if len(values) > width:
        last = len(values) - 1
        values = [values[round(i * last / (width - 1))] for i in range(width)]
    return "".join(
        " " if v is None else BARS[min(int(v * len(BARS)), len(BARS) - 1)] for v in values
    )


def _name(series: Series, by: str, lang: Lang, *, total: bool) -> str:
    if total:
        return t("total", lang)
    if by == "level":
        return t(f"level.{series.key}", lang)
    return series.name or series.key


def _lead(by: str, lang: Lang) -> list[Column]:
    """The columns that name a row: a code for a county, a county for a unit, then the name."""
    columns = [Column(t(by, lang), shrink_to=12)]
    if by == "county":
        columns.insert(0, Column(t("code", lang), give_way=4, code=True))
    if by == "unit":
        columns.insert(0, Column(t("county", lang), shrink_to=6, give_way=4))
    return columns


def _lead_cells(series: Series, page: Page, by: str, *, total: bool) -> list[str]:
    cells = [_name(series, by, page.lang, total=total)]
    if by == "county":
        cells.insert(0, "" if total else series.key)
    if by == "unit":
        county = page.campaign.county(series.county or "")
        cells.insert(0, county.name if county and not total else "")
    return cells


_COUNTS = ("tasks", "tasks_due", "done", "done_late", "overdue", "open")


def _count_cells(point: Point, page: Page, *, csv: bool) -> list[str]:
    light = point.light(page.campaign.lights)
    return [
        str(point.tasks),
        str(point.due),
        str(point.done),
        str(point.done_late),
        str(point.overdue),
        str(point.open),
        percent(point.expected, plain=csv),
        percent(point.actual, plain=csv),
        points(point.behind, plain=csv),
        light_cell(light, page.lang),
    ]


def _count_columns(lang: Lang) -> list[Column]:
    return [
        *(
            Column(t(key, lang), numeric=True, give_way=give)
            for key, give in zip(_COUNTS, (3, None, None, 2, None, 1), strict=True)
        ),
        Column(t("expected_share", lang), numeric=True),
        Column(t("completion", lang), numeric=True),
        Column(t("behind", lang), numeric=True),
        light_column(lang),
    ]


def _title(result: Trend, page: Page, every: Every) -> str:
    return t(
        "trend.title",
        page.lang,
        by=t(result.by, page.lang),
        start=min(page.campaign.start, page.as_of).isoformat(),
        as_of=page.as_of.isoformat(),
        every=t(f"every.{every}", page.lang),
    )


def trend_table(result: Trend, page: Page, every: Every, *, spark: bool) -> Table:
    """One line per row: its figures on the report day, and (``spark``) its done share over time."""
    columns = [*_lead(result.by, page.lang), *_count_columns(page.lang)]
    if spark:
        columns.append(Column(t("sparkline", page.lang), give_way=5))
    rows, marks = [], []
    for series in (*result.rows, result.total):
        total = series is result.total
        cells = [*_lead_cells(series, page, result.by, total=total)]
        cells += _count_cells(series.last, page, csv=False)
        if spark:
            tasks = series.tasks
            cells.append(sparkline([done / tasks if tasks else None for done in series.done]))
        rows.append(tuple(cells))
        light = series.last.light(page.campaign.lights)
        marks.append(Mark.TOTAL if total else Mark.BAD if light == "red" else Mark.NONE)
    return Table(tuple(columns), tuple(rows), tuple(marks), _title(result, page, every), page.lang)


def trend_csv_table(result: Trend, page: Page) -> Table:
    """One line per row per day, every figure a bare number."""
    columns = [
        *_lead(result.by, page.lang),
        Column(t("day", page.lang)),
        *_count_columns(page.lang),
    ]
    rows = []
    for series in (*result.rows, result.total):
        lead = _lead_cells(series, page, result.by, total=series is result.total)
        for point in series.points:
            rows.append((*lead, point.day.isoformat(), *_count_cells(point, page, csv=True)))
    return Table(tuple(columns), tuple(rows), lang=page.lang)


def series_to_dict(series: Series, page: Page, by: str) -> dict[str, Any]:
    lights = page.campaign.lights
    return {
        "key": series.key,
        "name": series.name,
        "county": series.county if by in ("county", "unit") else None,
        "tasks": series.tasks,
        "series": [_point_to_dict(p, lights) for p in series.points],
    }


def _point_to_dict(point: Point, lights: Lights) -> dict[str, Any]:
    light = point.light(lights)
    return {
        "day": point.day.isoformat(),
        "tasks_due": point.due,
        "done": point.done,
        "done_late": point.done_late,
        "overdue": point.overdue,
        "open": point.open,
        "expected": share(point.expected),
        "actual": share(point.actual),
        "behind": None if point.behind is None else round(float(point.behind), 1),
        "light": None if light is None else str(light),
    }


def trend_to_dict(result: Trend, page: Page, every: Every) -> dict[str, Any]:
    lights = page.campaign.lights
    return {
        "schema_version": SCHEMA_VERSION,
        "as_of": page.as_of.isoformat(),
        "start": min(page.campaign.start, page.as_of).isoformat(),
        "every": str(every),
        "by": result.by,
        "skipped_files": page.skipped,
        "lights": {"yellow": lights.yellow, "red": lights.red},
        "days": [d.isoformat() for d in result.days],
        "rows": [series_to_dict(s, page, result.by) for s in result.rows],
        "total": series_to_dict(result.total, page, result.by),
    }


def write_trend(
    result: Trend, out: IO[str], output_format: str, page: Page, every: Every, *, wide: bool
) -> None:
    """The trend in a format; the sparkline only where a person looks at a terminal."""
    if output_format == "json":
        json.dump(trend_to_dict(result, page, every), out, ensure_ascii=False, indent=2)
        out.write("\n")
    elif output_format == "csv":
        write(trend_csv_table(result, page), "csv", out)
    else:
        spark = plain_stream(out) is None and console(out).is_terminal
        write(trend_table(result, page, every, spark=spark), output_format, out, wide=wide)
