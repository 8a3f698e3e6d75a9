"""Lights, expected progress and ranks as columns and JSON fields, for rollup and trend."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from typing import Any

from checklist.i18n import Lang, t
from checklist.model import Lights
from checklist.render.table import Column, Table
from checklist.rollup import Rollup
from checklist.trend import Light, Point, Standing, Standings

# On a narrow terminal these give way with the first (render/report.py's _ROLLUP_GIVE_WAY);
# the light and the rank always show.
GIVE_WAY = 1


def light_column(lang: Lang) -> Column:
    """The Light column: 绿/黄/红 or green/yellow/red, coloured so on a terminal."""
    styles = (("green", "green"), ("yellow", "yellow"), ("red", "bold red"))
    return Column(t("light", lang), tints=tuple((t(f"light.{k}", lang), s) for k, s in styles))


def light_cell(light: Light | None, lang: Lang) -> str:
    return "" if light is None else t(f"light.{light}", lang)


def percent(value: Fraction | None, *, plain: bool = False) -> str:
    """A share in percent, as rollup's Done % (a bare number in CSV)."""
    if value is None:
        return "" if plain else "—"
    return f"{float(value) * 100:.1f}" if plain else f"{float(value) * 100:.1f}%"


def points(value: Fraction | None, *, plain: bool = False) -> str:
    """Percentage points, one decimal: blank in CSV and a dash on screen when there are none."""
    if value is None:
        return "" if plain else "—"
    return f"{float(value):.1f}"


def standing_columns(lang: Lang, *, lights: bool, rank: bool) -> list[Column]:
    columns = []
    if lights:
        columns += [
            Column(t("expected_share", lang), numeric=True, give_way=GIVE_WAY),
            Column(t("behind", lang), numeric=True, give_way=GIVE_WAY),
            light_column(lang),
        ]
    if rank:
        columns += [
            Column(t("rank", lang), numeric=True),
            Column(t("rank_change", lang), numeric=True, give_way=GIVE_WAY),
        ]
    return columns


def standing_cells(
    standing: Standing | None, lang: Lang, *, lights: bool, rank: bool, csv: bool
) -> list[str]:
    """The cells of standing_columns; a change is signed on screen (+1, -2), bare in CSV."""
    cells = []
    if lights:
        point = standing.point if standing else None
        cells += [
            percent(point.expected if point else None, plain=csv),
            points(point.behind if point else None, plain=csv),
            light_cell(standing.light if standing else None, lang),
        ]
    if rank:
        now = standing.rank if standing else None
        change = standing.rank_change if standing else None
        cells += [
            "" if now is None else str(now),
            "" if change is None else f"{change:+d}" if change and not csv else str(change),
        ]
    return cells


def point_to_dict(point: Point, lights: Lights) -> dict[str, Any]:
    """Expected progress and the light of a row on a day (docs/semantics.md, "Lights")."""
    light = point.light(lights)
    return {
        "tasks_due": point.due,
        "expected": share(point.expected),
        "behind": None if point.behind is None else round(float(point.behind), 1),
        "light": None if light is None else str(light),
    }


def standing_to_dict(standing: Standing, lights: Lights) -> dict[str, Any]:
    return point_to_dict(standing.point, lights) | {
        "rank": standing.rank,
        "rank_then": standing.rank_then,
        "rank_change": standing.rank_change,
    }


def standings_header(standings: Standings, lights: Lights) -> dict[str, Any]:
    return {
        "compare": standings.compare.isoformat(),
        "lights": {"yellow": lights.yellow, "red": lights.red},
    }


def share(value: Fraction | None) -> float | None:
    """A fraction as JSON carries shares: 0 to 1, four decimals."""
    return None if value is None else round(float(value), 4)


def with_standings(
    table: Table,
    result: Rollup,
    standings: Standings,
    lang: Lang,
    lights: bool,
    rank: bool,
    csv: bool,
) -> Table:
    """The roll-up table with the lights' and the rank's columns right after On time %."""
    at = [c.header for c in table.columns].index(t("on_time", lang)) + 1
    added = standing_columns(lang, lights=lights, rank=rank)
    rows = []
    for cells, row in zip(table.rows, (*result.rows, result.total), strict=True):
        standing = standings.total if row is result.total else standings.rows.get(row.key)
        more = standing_cells(standing, lang, lights=lights, rank=rank, csv=csv)
        rows.append((*cells[:at], *more, *cells[at:]))
    columns = (*table.columns[:at], *added, *table.columns[at:])
    return replace(table, columns=columns, rows=tuple(rows))


def with_standings_json(
    document: dict[str, Any], result: Rollup, standings: Standings
) -> dict[str, Any]:
    """The roll-up's JSON with the compare day, the thresholds and each row's standing."""
    lights = standings.lights
    head = {k: v for k, v in document.items() if k not in ("rows", "total")}
    rows = [
        fields | standing_to_dict(standings.rows[row.key], lights)
        if row.key in standings.rows
        else fields
        for fields, row in zip(document["rows"], result.rows, strict=True)
    ]
    total = document["total"] | standing_to_dict(standings.total, lights)
    return head | standings_header(standings, lights) | {"rows": rows, "total": total}
