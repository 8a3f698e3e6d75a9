"""What ``checklist import`` says (text or JSON), and the template workbook it writes."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import IO, TYPE_CHECKING, Any

from checklist.i18n import Lang, t
from checklist.words import printable

if TYPE_CHECKING:
    from checklist.ingest import Ingest
    from checklist.model import Campaign

SCHEMA_VERSION = 1
# Text from a sheet is data: a cell is never a formula, a link or a number by accident.
SAFE_WORKBOOK = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


def write_text(result: Ingest, out: IO[str], *, file: str, lang: Lang, dry_run: bool) -> None:
    """One line per problem, as validate's short form (file:Sheet1!E12: error[code] message),
    then what was (or would be) written, and a summary."""
    from checklist.load.source import display

    for problem in result.problems:
        severity = t(f"severity.{problem.severity}", lang)
        out.write(
            f"{printable(file)}:{printable(problem.cell)}: {severity}[{problem.code}] "
            f"{printable(problem.says(lang))}\n"
        )
    if result.has_errors:
        errors = sum(p.severity == "error" for p in result.problems)
        out.write(t("import.failed", lang, errors=errors, sheet=result.sheet, file=file) + "\n")
        return
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for unit in result.units:
        name = display(unit.path)
        if unit.before is None:
            key, counts["created"] = "would_create" if dry_run else "created", counts["created"] + 1
            out.write(t(f"import.{key}", lang, file=name, tasks=unit.tasks) + "\n")
        elif unit.changes:
            key, counts["updated"] = "would_update" if dry_run else "updated", counts["updated"] + 1
            out.write(t(f"import.{key}", lang, file=name, count=len(unit.changes)) + "\n")
            out.writelines(f"  {printable(change)}\n" for change in unit.changes)
        else:
            counts["unchanged"] += 1
            out.write(t("import.unchanged", lang, file=name) + "\n")
    if counts["updated"] or counts["unchanged"]:
        out.write(t("import.done.update", lang, sheet=result.sheet, **counts) + "\n")
    elif dry_run:
        out.write(t("import.dry_run", lang, units=len(result.units), sheet=result.sheet) + "\n")
    else:
        out.write(t("import.done", lang, units=len(result.units), sheet=result.sheet) + "\n")
    if dry_run and (counts["updated"] or counts["unchanged"]):
        out.write(t("import.nothing_written", lang) + "\n")


def write_json(
    result: Ingest, out: IO[str], *, file: str, lang: Lang, written: bool, dry_run: bool
) -> None:
    errors = sum(p.severity == "error" for p in result.problems)
    document: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "lang": str(lang),
        "file": file,
        "sheet": result.sheet,
        "dry_run": dry_run,
        "written": written,
        "errors": errors,
        "warnings": len(result.problems) - errors,
        "problems": [
            {
                "cell": p.cell,
                "sheet": p.sheet,
                "row": p.row,
                "column": p.column,
                "severity": str(p.severity),
                "code": p.code,
                "message": p.says(lang),
            }
            for p in result.problems
        ],
        "units": [
            {
                "file": u.path.relative_to(u.path.parents[2]).as_posix(),
                "id": u.unit_id,
                "name": u.name,
                "tasks": u.tasks,
                "rows": list(u.rows),
                "action": "create" if u.before is None else "update" if u.changes else "none",
                "changes": list(u.changes),
            }
            for u in result.units
        ],
    }
    out.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")


def template(campaign: Campaign, *, lang: Lang) -> bytes:
    """The template workbook: the header row in Chinese with one example row, and a sheet
    explaining each column in ``lang``."""
    import xlsxwriter  # type: ignore[import-untyped,unused-ignore]

    from checklist.dates import shift
    from checklist.ingest_rows import COLUMNS

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, **SAFE_WORKBOOK})
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    sheet = book.add_worksheet(t("import.template.sheet", lang))
    county = campaign.counties[0].name if campaign.counties else "示例区"
    example: dict[str, object] = {
        "unit": "示例:某某街道党工委(填写时删去本行)",
        "county": county,
        "level": "基层",
        "contact": "张三",
        "measure": campaign.measures[0].name,
        "task": "中心组专题学习(第一次)",
        "owner": "李四",
        "due": min(campaign.end, shift(campaign.start, 30)),
        "done": "",
        "note": "",
    }
    widths = {"unit": 36, "task": 40, "note": 24, "county": 14, "due": 12, "done": 12}
    for index, column in enumerate(COLUMNS):
        sheet.write_string(0, index, column.names[0], bold)
        sheet.set_column(index, index, widths.get(column.field, 10))
        cell = example[column.field]
        if isinstance(cell, dt.date):
            sheet.write_datetime(1, index, dt.datetime.combine(cell, dt.time()), day)
        elif cell:
            sheet.write_string(1, index, str(cell))
    sheet.freeze_panes(1, 0)
    help_sheet = book.add_worksheet(t("import.template.help", lang))
    for index, head in enumerate(t("import.template.head", lang).split("|")):
        help_sheet.write_string(0, index, head, bold)
    help_sheet.set_column(0, 0, 12)
    help_sheet.set_column(1, 1, 28)
    help_sheet.set_column(2, 2, 8)
    help_sheet.set_column(3, 3, 80, wrap)
    values = {
        "examples": ", ".join(f"{c.name} {c.code}" for c in campaign.counties[:3]) or "—",
        "measures": ", ".join(f"{m.name} ({m.key})" for m in campaign.measures),
    }
    for row, column in enumerate(COLUMNS, 1):
        required = t("import.template.yes" if column.required else "import.template.no", lang)
        help_sheet.write_string(row, 0, column.names[0])
        help_sheet.write_string(row, 1, ", ".join(column.names[1:]))
        help_sheet.write_string(row, 2, required)
        help_sheet.write_string(row, 3, t(f"import.col.{column.field}", lang, **values))
    help_sheet.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()
