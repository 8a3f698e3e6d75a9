"""The wall chart as one self-contained HTML page: a Jinja2 template, hand-written SVG, inline CSS.

The page needs nothing from a network (offices' networks are often cut off, and a page
opened from a USB stick has none): no script, no web font, no image but inline SVG, and a
Content-Security-Policy that forbids loading anything. Text from the files is data:
the template escapes every value (autoescape), in HTML and in the SVG alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from checklist import __version__
from checklist.chart import Chart, Line
from checklist.i18n import Lang, t
from checklist.model import Item
from checklist.render.report import row_name
from checklist.rollup import By
from checklist.rules.context import parse_person
from checklist.trend import Light, Series

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

# The plots' boxes, in SVG user units: the total's, and each county's (small multiples).
BIG = (560, 220)
SMALL = (200, 74)
_PAD = (34, 10, 8, 18)  # left, top, right, bottom: room for the axis labels


@dataclass(frozen=True, slots=True)
class Mark:
    """A dated mark on the timeline (start, end, a milestone): where it falls, and its words."""

    x: float
    day: str
    label: str


@dataclass(frozen=True, slots=True)
class Plot:
    """One row's done share and expected share over time, as SVG polylines."""

    name: str
    width: int
    height: int
    left: float
    top: float
    right: float
    bottom: float
    done: str  # "x,y x,y …"
    expected: str
    marks: tuple[Mark, ...]
    today: float  # the report day's x
    light: str  # the row's light on the report day: g, y, r or n
    last_done: str
    last_expected: str
    ticks: tuple[tuple[float, str], ...]  # (x, label) at each month's first day
    gridlines: tuple[tuple[float, str], ...]  # (y, label): 0, 50 and 100%


def light_class(light: Light | None) -> str:
    """The CSS class of a light: g, y, r, or n for a row without tasks."""
    return "n" if light is None else str(light)[0]


def percent(value: Fraction | float | None) -> str:
    """A share in percent, one decimal, as rollup writes Done %; a dash for none."""
    return "—" if value is None else f"{float(value) * 100:.1f}%"


def signed(value: int | None) -> str:
    """A rank change as rollup's table writes it: +1, -2, 0; blank for none."""
    return "" if value is None else f"{value:+d}" if value else "0"


def plot(
    series: Series,
    name: str,
    *,
    span: tuple[dt.date, dt.date],
    size: tuple[int, int],
    marks: Sequence[tuple[dt.date, str]],
    light: Light | None,
    ticks: bool,
) -> Plot:
    """A row's series as polylines over ``span`` (first and last day of the x axis)."""
    width, height = size
    left, top, right, bottom = _PAD if ticks else (4, 4, 4, 4)
    inner_w, inner_h = width - left - right, height - top - bottom
    first, last = span
    days = max((last - first).days, 1)

    def x(day: dt.date) -> float:
        return round(left + inner_w * (day - first).days / days, 1)

    def y(share: Fraction | None) -> float:
        return round(top + inner_h * (1 - float(share or 0)), 1)

    points = series.points
    done = polyline([(x(p.day), y(p.actual)) for p in points])
    expected = polyline([(x(p.day), y(p.expected)) for p in points])
    shown = tuple(
        Mark(x(day), day.isoformat(), label) for day, label in marks if first <= day <= last
    )
    month_starts = []
    if ticks:
        day = dt.date(first.year, first.month, 1)
        while day <= last:
            if day >= first:
                month_starts.append(
                    (x(day), f"{day.month}/{day.day}" if day.month != 1 else str(day.year))
                )
            day = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    grid = tuple((y(Fraction(k, 2)), f"{k * 50}%") for k in range(3)) if ticks else ()
    end = series.last
    return Plot(
        name,
        width,
        height,
        left,
        top,
        width - right,
        height - bottom,
        done,
        expected,
        shown,
        x(end.day),
        light_class(light),
        percent(end.actual),
        percent(end.expected),
        tuple(month_starts),
        grid,
    )


def polyline(points: Sequence[tuple[float, float]]) -> str:
    """SVG points, without those in the middle of a flat run: the same line, far shorter
    for a campaign whose figures stand still for weeks (or a report day long after its end)."""
    kept = [
        point
        for n, point in enumerate(points)
        if n in (0, len(points) - 1) or not points[n - 1][1] == point[1] == points[n + 1][1]
    ]
    return " ".join(f"{px},{py}" for px, py in kept)


def overdue_title(item: Item) -> str:
    return f"{item.task.title} #{item.occurrence}" if item.occurrence else item.task.title


def render_chart(
    chart: Chart,
    lang: Lang,
    *,
    marks: Sequence[tuple[dt.date, str]] = (),
    skipped: int = 0,
) -> str:
    """The page. ``marks``: the days marked on every timeline (start, end, milestones)."""
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("checklist.render", "templates"),
        autoescape=True,  # every value, whatever the template's name
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    template = environment.get_template("chart.html.j2")
    return template.render(**_context(chart, lang, marks, skipped))


def _context(
    chart: Chart, lang: Lang, marks: Sequence[tuple[dt.date, str]], skipped: int
) -> dict[str, Any]:
    campaign = chart.campaign
    first = min(campaign.start, chart.as_of)
    span = (first, max(campaign.end, chart.as_of))
    names = {c.row.key: c.row.name for c in chart.counties}
    lights = {c.row.key: c.standing.light if c.standing else None for c in chart.counties}
    total_light = chart.total.standing.light if chart.total.standing else None

    def words(key: str, **values: object) -> str:
        return t(key, lang, **values)

    def name(line: Line) -> str:
        return row_name(line.row, By.COUNTY, lang)

    def group_name(line: Line) -> str:
        return row_name(line.row, By.GROUP, lang)

    big = plot(
        chart.trend.total,
        words("total"),
        span=span,
        size=BIG,
        marks=marks,
        light=total_light,
        ticks=True,
    )
    small: dict[str, Plot] = {}
    detail: dict[str, Plot] = {}
    for series in chart.trend.rows:
        key = series.key
        for found, size, ticks in ((small, SMALL, False), (detail, BIG, True)):
            found[key] = plot(
                series,
                names.get(key, key),
                span=span,
                size=size,
                marks=marks,
                light=lights.get(key),
                ticks=ticks,
            )
    group_plots: dict[str, Plot] = {}
    if chart.groups is not None:
        shown = {line.row.key: line for line in chart.groups.lines}
        for series in chart.groups.trend.rows:
            line = shown.get(series.key)
            group_plots[series.key] = plot(
                series,
                group_name(line) if line else series.key,
                span=span,
                size=SMALL,
                marks=marks,
                light=line.standing.light if line and line.standing else None,
                ticks=False,
            )
    contacts = {g.name: parse_person(g.contact)[0] for g in campaign.groups}
    helpers: dict[str, Callable[..., Any]] = {
        "t": words,
        "name": name,
        "group_name": group_name,
        "cls": light_class,
        "pct": percent,
        "signed": signed,
        "task_title": overdue_title,
        "light_word": lambda light: "" if light is None else words(f"light.{light}"),
    }
    return {
        "chart": chart,
        "campaign": campaign,
        "lang": "zh-CN" if lang is Lang.ZH else "en",
        "csp": CSP,
        "version": __version__,
        "big": big,
        "small": small,
        "detail": detail,
        "group_plots": group_plots,
        "contacts": contacts,
        "marks": [(day.isoformat(), label) for day, label in marks],
        "skipped": skipped,
        **helpers,
    }
