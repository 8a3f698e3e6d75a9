"""`checklist calendar`: a month's grid with rest days and make-up workdays marked, its dekads."""

from __future__ import annotations

import json
from typing import IO

from checklist.i18n import Lang, t
from checklist.render.table import Column, Table, write, write_note
from checklist.workdays import Calendar, DayKind, Month, month_to_dict

_TINTS = {DayKind.HOLIDAY: "red", DayKind.MAKEUP: "bold yellow", DayKind.WEEKEND: "dim"}


def _cell(day: int, kind: DayKind, lang: Lang) -> str:
    if kind is DayKind.HOLIDAY:
        return t("calendar.cell.holiday", lang, day=day)
    if kind is DayKind.MAKEUP:
        return t("calendar.cell.makeup", lang, day=day)
    return str(day)


def grid_table(month: Month, lang: Lang) -> Table:
    """Weeks as rows, Monday to Sunday as columns; a holiday and a make-up workday marked."""
    weeks: list[list[str]] = [[""] * 7]
    tints: list[set[tuple[str, str]]] = [set() for _ in range(7)]
    for day, kind in month.days:
        column = day.weekday()
        if column == 0 and any(weeks[-1]):
            weeks.append([""] * 7)
        cell = _cell(day.day, kind, lang)
        weeks[-1][column] = cell
        if kind in _TINTS:
            tints[column].add((cell, _TINTS[kind]))
    names = t("calendar.weekdays", lang).split()
    columns = tuple(
        Column(name, numeric=True, tints=tuple(sorted(tints[i]))) for i, name in enumerate(names)
    )
    title = t("calendar.title", lang, year=month.year, month=month.month, count=month.workdays)
    return Table(columns, tuple(tuple(week) for week in weeks), title=title, lang=lang)


def dekads_table(month: Month, lang: Lang) -> Table:
    columns = (
        Column(t("calendar.col.dekad", lang)),
        Column(t("calendar.col.from", lang)),
        Column(t("calendar.col.to", lang)),
        Column(t("calendar.col.workdays", lang), numeric=True),
        Column(t("calendar.col.rest", lang), numeric=True),
    )
    rows = tuple(
        (
            t(f"calendar.dekad.{n}", lang),
            d.start.isoformat(),
            d.end.isoformat(),
            str(d.workdays),
            str(d.rest_days),
        )
        for n, d in enumerate(month.dekads, 1)
    )
    return Table(columns, rows, lang=lang)


def write_calendar(
    month: Month, calendar: Calendar, out: IO[str], output_format: str, lang: Lang
) -> None:
    """The month as a grid and its dekads (a table, plain text in a pipe), or JSON."""
    if output_format == "json":
        json.dump(month_to_dict(month, calendar), out, ensure_ascii=False, indent=2)
        out.write("\n")
        return
    write(grid_table(month, lang), "table", out)
    write_note(t("calendar.legend", lang), out)
    out.write("\n")
    write(dekads_table(month, lang), "table", out)
