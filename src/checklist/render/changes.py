"""What `checklist changes` says: a table, JSON, or Markdown for a group chat."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from typing import IO, Any

from checklist.history.changes import Change, Changes
from checklist.history.diff import Kind
from checklist.history.milestones import MilestoneRow
from checklist.i18n import Lang, t
from checklist.model import Campaign
from checklist.render.table import Column, Mark, Table, write, write_note
from checklist.words import markdown_text

SCHEMA_VERSION = 1


def _short(commit: str | None, lang: Lang) -> str:
    return commit[:10] if commit else t("changes.start", lang)


def heading(result: Changes, lang: Lang) -> str:
    until = t("changes.worktree", lang) if result.worktree else result.until[:10]
    return t("changes.title", lang, since=_short(result.since, lang), until=until)


def counts(changes: Sequence[Change]) -> dict[str, int]:
    """How many changes of each kind, and of the done ones how many were back-dated."""
    found = Counter(str(c.edit.kind) for c in changes)
    every = {str(kind): found[str(kind)] for kind in Kind}
    every["backdated"] = sum(c.backdated is not None for c in changes)
    return every


def summary(result: Changes, lang: Lang) -> str:
    if not result.changes:
        return t("changes.none", lang)
    n = counts(result.changes)
    return t(
        "changes.summary",
        lang,
        changes=len(result.changes),
        units=len({(c.county, c.unit) for c in result.changes}),
        done=n["done"],
        backdated=n["backdated"],
        reopened=n["reopened"],
        added=n["added"],
        removed=n["removed"],
        postponed=n["postponed"],
        moved=n["moved"],
        units_added=n["unit_added"],
        units_removed=n["unit_removed"],
        broken=n["broken"],
    )


def _by(change: Change, lang: Lang) -> tuple[str, str]:
    if change.uncommitted:
        return t("changes.uncommitted", lang), ""
    if change.credit is None:
        return t("changes.merge", lang), ""
    return change.credit.author, change.credit.day.isoformat()


def _flag(change: Change, lang: Lang) -> str:
    if change.backdated is not None:
        return t("changes.backdated", lang, days=change.backdated)
    if change.edit.kind is Kind.MOVED:
        return t("changes.silent", lang)
    if change.edit.kind is Kind.BROKEN:
        return t("changes.problems", lang, count=change.problems)
    return change.edit.reason or ""


def changes_table(result: Changes, campaign: Campaign, lang: Lang) -> Table:
    rows: list[tuple[str, ...]] = []
    marks: list[Mark] = []
    for change in result.changes:
        county = campaign.county(change.county)
        measure = campaign.measure(change.edit.measure) if change.edit.measure else None
        edit = change.edit
        before = edit.before.isoformat() if edit.before else (change.was_file or "")
        by, on = _by(change, lang)
        rows.append(
            (
                county.name if county else change.county,
                change.unit_name,
                t(f"change.{edit.kind}", lang),
                measure.name if measure else (edit.measure or ""),
                edit.title or "",
                edit.day.isoformat() if edit.day else "",
                before,
                by,
                on,
                _flag(change, lang),
            )
        )
        flagged = change.backdated is not None or edit.kind in (Kind.MOVED, Kind.BROKEN)
        marks.append(Mark.WARN if flagged else Mark.NONE)
    columns = (
        Column(t("county", lang), shrink_to=6, give_way=4),
        Column(t("unit", lang), shrink_to=14),
        Column(t("changes.col.change", lang)),
        Column(t("measure", lang), give_way=1),
        Column(t("task", lang), shrink_to=16),
        Column(t("changes.col.date", lang)),
        Column(t("changes.col.before", lang), give_way=3),
        Column(t("changes.col.by", lang), give_way=2),
        Column(t("changes.col.on", lang), give_way=5),
        Column(t("changes.col.flag", lang)),
    )
    return Table(columns, tuple(rows), tuple(marks), lang=lang)


def change_to_dict(change: Change, campaign: Campaign) -> dict[str, Any]:
    """One change as JSON writes it (docs/history.md names every field)."""
    edit = change.edit
    county = campaign.county(change.county)
    measure = campaign.measure(edit.measure) if edit.measure else None
    credit = change.credit
    return {
        "kind": str(edit.kind),
        "county": change.county or None,
        "county_name": county.name if county else None,
        "unit": change.unit,
        "unit_name": change.unit_name,
        "file": change.file,
        "was_file": change.was_file,
        "measure": edit.measure,
        "measure_name": measure.name if measure else None,
        "title": edit.title,
        "task_id": edit.task[1] if edit.task and edit.task[0] == "id" else None,
        "date": edit.day.isoformat() if edit.day else None,
        "before": edit.before.isoformat() if edit.before else None,
        "reason": edit.reason,
        "silent": edit.kind is Kind.MOVED,
        "backdated_days": change.backdated,
        "problems": change.problems,
        "uncommitted": change.uncommitted,
        "commit": credit.commit if credit else None,
        "author": credit.author if credit else None,
        "committed": credit.day.isoformat() if credit else None,
    }


def write_changes(
    result: Changes,
    out: IO[str],
    output_format: str,
    campaign: Campaign,
    lang: Lang,
    *,
    milestones: Sequence[MilestoneRow] = (),
) -> None:
    """The changes as a table (also CSV), JSON or a Markdown list for a group chat; then
    how the milestones dated within the window stand (JSON: ``milestones``)."""
    if output_format == "json":
        document = {
            "schema_version": SCHEMA_VERSION,
            "since": result.since,
            "until": result.until,
            "worktree": result.worktree,
            "backdate_days": result.backdate_days,
            "counts": counts(result.changes),
            "changes": [change_to_dict(c, campaign) for c in result.changes],
            "milestones": [milestone_to_dict(r) for r in milestones],
        }
        json.dump(document, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return
    _write_changes(result, out, output_format, campaign, lang)
    if milestones and output_format in ("table", "markdown"):
        out.write("\n")
        write(milestones_table(milestones, campaign, lang), output_format, out)


def _write_changes(
    result: Changes, out: IO[str], output_format: str, campaign: Campaign, lang: Lang
) -> None:
    if output_format == "json":
        return
    if output_format == "markdown":
        _write_markdown(result, out, campaign, lang)
    elif output_format == "table" and not result.changes:
        out.write(heading(result, lang) + "\n" + t("changes.none", lang) + "\n")
    else:
        if output_format == "table":
            out.write(heading(result, lang) + "\n\n")
        write(changes_table(result, campaign, lang), output_format, out)
        if output_format == "table":
            write_note(summary(result, lang), out)


def _write_markdown(result: Changes, out: IO[str], campaign: Campaign, lang: Lang) -> None:
    """A heading per county, a line per change: what a group chat shows well."""
    out.write(f"**{markdown_text(heading(result, lang))}**\n")
    table = changes_table(result, campaign, lang)
    county = None
    for row in table.rows:
        if row[0] != county:
            county = row[0]
            out.write(f"\n### {markdown_text(county)}\n\n")
        what = " · ".join(markdown_text(c) for c in (row[4], row[5]) if c)
        who = " ".join(markdown_text(c) for c in (row[7], row[8]) if c)
        flag = f" **{markdown_text(row[9])}**" if row[9] else ""
        colon = ":" if lang is Lang.ZH else ": "
        line = f"- {markdown_text(row[1])}{colon}{markdown_text(row[2])}"
        if what:
            line += f" {what}"
        if row[6]:
            line += f" ({markdown_text(row[6])} →)"
        out.write(f"{line}{flag}" + (f" — {who}" if who else "") + "\n")
    out.write(f"\n{markdown_text(summary(result, lang))}\n")


def milestones_table(rows: Sequence[MilestoneRow], campaign: Campaign, lang: Lang) -> Table:
    cells: list[tuple[str, ...]] = []
    marks: list[Mark] = []
    for row in rows:
        county = campaign.county(row.county)
        missing = row.missing
        cells.append(
            (
                row.milestone.name,
                row.milestone.date.isoformat(),
                row.county,
                county.name if county else row.county,
                "" if row.expected is None else str(row.expected),
                str(row.met),
                str(len(row.late)),
                str(row.late[0][1]) if row.late else "",
                "" if missing is None else str(missing),
                "、".join(f"{unit} (+{days})" for unit, days in row.late[:5])
                + (" …" if len(row.late) > 5 else ""),
            )
        )
        marks.append(Mark.WARN if missing or row.late else Mark.NONE)
    columns = (
        Column(t("milestones.col.milestone", lang), shrink_to=10),
        Column(t("milestones.col.date", lang), give_way=2),
        Column(t("code", lang), code=True, give_way=1),
        Column(t("county", lang)),
        Column(t("expected", lang), numeric=True, give_way=3),
        Column(t("milestones.col.met", lang), numeric=True),
        Column(t("milestones.col.late", lang), numeric=True, blank_zero=True),
        Column(t("milestones.col.most_late", lang), numeric=True, give_way=4),
        Column(t("milestones.col.missing", lang), numeric=True, blank_zero=True),
        Column(t("milestones.col.late_units", lang), shrink_to=10, give_way=5),
    )
    return Table(columns, tuple(cells), tuple(marks), title=t("milestones.title", lang), lang=lang)


def milestone_to_dict(row: MilestoneRow) -> dict[str, Any]:
    """One milestone's standing in one county, as JSON writes it (docs/history.md)."""
    return {
        "milestone": row.milestone.name,
        "date": row.milestone.date.isoformat(),
        "level": str(row.milestone.level) if row.milestone.level else None,
        "expect": row.milestone.expect,
        "county": row.county,
        "expected": row.expected,
        "met": row.met,
        "late": [{"unit": unit, "days_late": days} for unit, days in row.late],
        "missing": row.missing,
        "pending": list(row.pending),
    }


def write_milestones(
    rows: Sequence[MilestoneRow], out: IO[str], output_format: str, campaign: Campaign, lang: Lang
) -> None:
    if not campaign.milestones and output_format != "json":
        out.write(t("milestones.none", lang) + "\n")
    elif output_format == "json":
        document = {
            "schema_version": SCHEMA_VERSION,
            "milestones": [milestone_to_dict(r) for r in rows],
        }
        json.dump(document, out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        write(milestones_table(rows, campaign, lang), output_format, out)
