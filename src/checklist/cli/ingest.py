"""import: unit files from a ledger sheet kept in Excel or WPS, and the sheet's template."""

from __future__ import annotations

import enum
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from checklist.cli.options import LangOpt
from checklist.errors import EXIT_PROBLEMS

if TYPE_CHECKING:
    from checklist.i18n import Lang
    from checklist.model import Campaign


class ImportFormat(enum.StrEnum):
    TEXT = "text"
    JSON = "json"


LedgerArg = Annotated[
    Path | None,
    typer.Argument(help="The workbook (.xlsx) to import.", show_default=False, metavar="FILE"),
]
SheetOpt = Annotated[
    str | None,
    typer.Option("--sheet", help="The sheet to read (default: the first).", metavar="NAME"),
]
IntoOpt = Annotated[
    Path | None,
    typer.Option(
        "--into",
        help="The campaign folder (default: the one holding the working folder).",
        file_okay=False,
        metavar="DIR",
    ),
]
CheckOnlyOpt = Annotated[
    bool, typer.Option("--dry-run", help="Check the sheet and list the files; write nothing.")
]
UpdateOpt = Annotated[
    bool,
    typer.Option(
        "--update",
        help="Change existing unit files where the sheet differs (owners, dates, notes, new "
        "tasks), keeping every comment; without it an existing file is refused.",
    ),
]
TemplateOpt = Annotated[
    Path | None,
    typer.Option(
        "--template",
        help="Write the template workbook to FILE instead: the columns, one example row, "
        "and a sheet explaining each column.",
        dir_okay=False,
        metavar="FILE",
        show_default=False,
    ),
]
ImportFormatOpt = Annotated[ImportFormat, typer.Option("--format", "-f", help="text or json.")]


def import_ledger(
    ledger: LedgerArg = None,
    sheet: SheetOpt = None,
    into: IntoOpt = None,
    dry_run: CheckOnlyOpt = False,
    update: UpdateOpt = False,
    template: TemplateOpt = None,
    output_format: ImportFormatOpt = ImportFormat.TEXT,
    lang: LangOpt = None,
) -> None:
    """Create unit files from a ledger sheet, one row per task.

    One file per unit, laid out as `checklist new` writes it.

    A sheet with any problem writes nothing; each is named by its cell (Sheet1!E12).
    An existing unit file is refused, or with --update changed only where the sheet
    differs, every comment kept.

    \b
    Example: checklist import 台账.xlsx --sheet 清单 --dry-run
             checklist import --template 清单模板.xlsx
    """
    from checklist import dates
    from checklist.errors import ConfigError, UsageError
    from checklist.i18n import choose_lang
    from checklist.ingest import plan, write_units
    from checklist.load.campaign import find_config, load_campaign
    from checklist.load.source import display
    from checklist.render import ingest as render
    from checklist.workbook import read_sheet

    try:
        campaign = load_campaign(find_config([into or Path()]))
    except ConfigError as error:
        if template is None or error.problems:
            raise
        campaign = _blank_campaign()  # a template needs no campaign: the default measures
    speak = choose_lang(lang.value if lang else None, campaign.lang)
    if template is not None:
        _write_template(template, render.template(campaign, lang=speak), speak)
        return
    if ledger is None:
        raise UsageError(
            "give the workbook to import (FILE), or --template FILE to write one",
            zh="请给出要导入的工作簿(FILE),或用 --template FILE 生成一份模板",
        )
    name = display(ledger)
    today = dates.as_of(None, timezone=campaign.timezone)
    result = plan(read_sheet(ledger, sheet=sheet), campaign=campaign, today=today, update=update)
    write = not result.has_errors and not dry_run
    if write:
        write_units(result.units, campaign=campaign, today=today)
    if output_format is ImportFormat.JSON:
        render.write_json(result, sys.stdout, file=name, lang=speak, written=write, dry_run=dry_run)
    else:
        render.write_text(result, sys.stdout, file=name, lang=speak, dry_run=dry_run)
    if result.has_errors:
        raise typer.Exit(EXIT_PROBLEMS)


def _blank_campaign() -> Campaign:
    """A campaign of the default measures and no counties, starting today."""
    import datetime as dt

    from checklist.model import Campaign

    start = dt.date.today()
    return Campaign("", start, start + dt.timedelta(days=120), ())


def _write_template(path: Path, data: bytes, lang: Lang) -> None:
    """Write the template whole, never over a file."""
    from checklist.atomic import write_atomic
    from checklist.errors import UsageError
    from checklist.i18n import t
    from checklist.load.source import display

    try:
        write_atomic(path, data, exclusive=True)
    except FileExistsError:
        raise UsageError.said("import.template.exists", file=display(path)) from None
    except OSError as error:
        why = error.strerror or str(error)
        raise UsageError(
            f"cannot create {display(path)}: {why}", zh=f"无法创建 {display(path)}:{why}"
        ) from None
    print(t("import.template", lang, file=display(path)))
