"""status's list as a table (terminal, plain text, CSV, Markdown) and as JSON; the JSON's
field names are a contract (docs/semantics.md)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import IO

from checklist.i18n import Lang, t
from checklist.model import Campaign, State
from checklist.render.report import SCHEMA_VERSION, Page, overdue_header
from checklist.render.table import Column, Mark, Table, write, write_note
from checklist.status import Entry, Summary, entry_to_dict

_MARKS = {State.OVERDUE: Mark.BAD, State.DUE_SOON: Mark.WARN}


def status_table(
    entries: Sequence[Entry], campaign: Campaign, lang: Lang, *, states: bool, done: bool
) -> Table:
    """The task list; a State column when more than overdue tasks are listed."""
    counties = {c.code: c.name for c in campaign.counties}
    measures = {m.key: m.name for m in campaign.measures}
    # On a narrow terminal: unit and task shorten first, then Owner, Measure, Done on, County
    # and State are hidden in that order; unit, task, due date and days overdue always show.
    columns = [
        Column(t("county", lang), give_way=4),
        Column(t("unit", lang), shrink_to=14),
        Column(t("measure", lang), give_way=2),
        Column(t("task", lang), shrink_to=16),
        Column(t("owner", lang), shrink_to=8, give_way=1),
        Column(t("due", lang)),
    ]
    if done:
        columns.append(Column(t("done_on", lang), give_way=3))
    if states:
        columns.append(Column(t("state", lang), give_way=5))
    columns.append(Column(t(overdue_header(campaign), lang), numeric=True))
    words = {s: t(f"state.{s}", lang) for s in State}
    # Each day and count as text once: a province's list repeats a few hundred of them.
    said: dict[object, str] = {None: ""}

    def text(value: dt.date | int | None) -> str:
        found = said.get(value)
        if found is None:
            found = said[value] = str(value)  # a date's str is its ISO form
        return found

    rows = []
    for entry in entries:
        row: tuple[str, ...] = (
            counties.get(entry.county, entry.county),
            entry.unit_name,
            measures.get(entry.measure, entry.measure),
            entry.listed_title,
            entry.owner,
            text(entry.due),
        )
        if done:
            row += (text(entry.done),)
        if states:
            row += (words[entry.state],)
        rows.append((*row, text(entry.days_overdue)))
    marks = [_MARKS.get(entry.state, Mark.NONE) for entry in entries]
    return Table(tuple(columns), tuple(rows), tuple(marks), lang=lang)


def status_summary(summary: Summary, lang: Lang, *, soon_days: int) -> str:
    """One line: how much is overdue or due soon, and across how many units and counties."""
    units, counties = summary.units, summary.counties
    return t(
        "summary",
        lang,
        overdue=summary.overdue,
        soon=summary.due_soon,
        days=soon_days,
        units=units,
        units_word="unit" if units == 1 else "units",
        counties=counties,
        counties_word="county" if counties == 1 else "counties",
    ) + (t("summary.postponed", lang, count=summary.postponed) if summary.postponed else "")


def write_status_json(
    entries: Sequence[Entry],
    out: IO[str],
    *,
    campaign: Campaign,
    as_of: dt.date,
    soon_days: int,
    skipped: int,
    summary: Summary,
) -> None:
    document = {
        "schema_version": SCHEMA_VERSION,
        "as_of": as_of.isoformat(),
        "soon_days": soon_days,
        "skipped_files": skipped,
        "summary": {
            "overdue": summary.overdue,
            "due_soon": summary.due_soon,
            "units": summary.units,
            "counties": summary.counties,
            "postponed": summary.postponed,
        },
        "tasks": [entry_to_dict(e, campaign) for e in entries],
    }
    json.dump(document, out, ensure_ascii=False, indent=2)
    out.write("\n")


def write_status(
    listed: Sequence[Entry],
    out: IO[str],
    output_format: str,
    page: Page,
    *,
    summary: Summary,
    everything: bool,
    wide: bool = False,
) -> None:
    """The listed items in a format, and (but in CSV) the summary of all selected ones."""
    if output_format == "json":
        write_status_json(
            listed,
            out,
            campaign=page.campaign,
            as_of=page.as_of,
            soon_days=page.soon_days,
            skipped=page.skipped,
            summary=summary,
        )
        return
    several = any(e.state is not State.OVERDUE for e in listed)
    table = status_table(listed, page.campaign, page.lang, states=several, done=everything)
    line = status_summary(summary, page.lang, soon_days=page.soon_days)
    if output_format == "table" and not listed:
        if not everything:
            out.write(t("nothing", page.lang, as_of=page.as_of.isoformat()) + "\n")
    else:
        write(table, output_format, out, wide=wide)
    if output_format == "markdown":
        out.write(f"\n{line}\n")
    elif output_format == "table":
        write_note(line, out)
