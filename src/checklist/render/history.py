"""What the history says of units: stale ones (status --stale), back-dated done dates by county
(rollup --history); tables and JSON."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import IO, Any

from checklist.history.units import Backdated, StaleUnit
from checklist.i18n import Lang, t
from checklist.model import Campaign
from checklist.render.table import Column, Mark, Table, write, write_note

SCHEMA_VERSION = 1


def stale_table(stale: Sequence[StaleUnit], campaign: Campaign, lang: Lang) -> Table:
    rows = []
    for entry in stale:
        county = campaign.county(entry.unit.county)
        rows.append(
            (
                county.name if county else entry.unit.county,
                entry.unit.name,
                entry.last.isoformat(),
                str(entry.days),
                str(entry.open),
                entry.unit.file,
            )
        )
    columns = (
        Column(t("county", lang), give_way=2),
        Column(t("unit", lang), shrink_to=14),
        Column(t("stale.col.last", lang)),
        Column(t("stale.col.days", lang), numeric=True),
        Column(t("stale.col.open", lang), numeric=True),
        Column(t("stale.col.file", lang), shrink_to=10, give_way=1),
    )
    return Table(columns, tuple(rows), lang=lang)


def write_stale(
    stale: Sequence[StaleUnit],
    out: IO[str],
    output_format: str,
    campaign: Campaign,
    lang: Lang,
    *,
    as_of: dt.date,
    days: int,
) -> None:
    if output_format == "json":
        document: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "as_of": as_of.isoformat(),
            "stale_days": days,
            "units": [
                {
                    "county": s.unit.county,
                    "county_name": c.name if (c := campaign.county(s.unit.county)) else None,
                    "unit": s.unit.id,
                    "unit_name": s.unit.name,
                    "file": s.unit.file,
                    "last_commit": s.last.isoformat(),
                    "days": s.days,
                    "open_tasks": s.open,
                }
                for s in stale
            ],
        }
        json.dump(document, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return
    if not stale and output_format == "table":
        out.write(t("stale.none", lang, days=days) + "\n")
        return
    if output_format == "table":
        out.write(t("stale.title", lang, days=days, as_of=as_of.isoformat()) + "\n\n")
    write(stale_table(stale, campaign, lang), output_format, out)
    if output_format == "table":
        write_note(t("stale.summary", lang, count=len(stale)), out)


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else ""


def backdated_table(rows: Sequence[Backdated], campaign: Campaign, lang: Lang) -> Table:
    cells = []
    marks = []
    for row in rows:
        county = campaign.county(row.county)
        cells.append(
            (
                row.county,
                county.name if county else row.county,
                str(row.recorded),
                str(row.backdated),
                _share(row.backdated, row.recorded),
                "" if row.most_days is None else str(row.most_days),
            )
        )
        marks.append(Mark.WARN if row.backdated else Mark.NONE)
    recorded = sum(r.recorded for r in rows)
    backdated = sum(r.backdated for r in rows)
    most = max((r.most_days for r in rows if r.most_days is not None), default=None)
    cells.append(
        (
            "",
            t("total", lang),
            str(recorded),
            str(backdated),
            _share(backdated, recorded),
            "" if most is None else str(most),
        )
    )
    marks.append(Mark.TOTAL)
    columns = (
        Column(t("code", lang), code=True, give_way=1),
        Column(t("county", lang)),
        Column(t("backdated.col.recorded", lang), numeric=True),
        Column(t("backdated.col.backdated", lang), numeric=True, blank_zero=True),
        Column(t("backdated.col.share", lang), numeric=True),
        Column(t("backdated.col.most", lang), numeric=True),
    )
    title = t("backdated.title", lang, days=campaign.history.backdate_days)
    return Table(columns, tuple(cells), tuple(marks), title=title, lang=lang)


def write_backdated(
    rows: Sequence[Backdated], out: IO[str], output_format: str, campaign: Campaign, lang: Lang
) -> None:
    if output_format == "json":
        document = {
            "schema_version": SCHEMA_VERSION,
            "backdate_days": campaign.history.backdate_days,
            "rows": [
                {
                    "county": r.county,
                    "recorded": r.recorded,
                    "backdated": r.backdated,
                    "most_days": r.most_days,
                }
                for r in rows
            ],
        }
        json.dump(document, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return
    write(backdated_table(rows, campaign, lang), output_format, out)
