"""calendar: the campaign's month, with rest days, make-up workdays (调休) and dekads."""

from __future__ import annotations

import enum
import sys
from pathlib import Path
from typing import Annotated

import typer

from checklist.cli.options import AsOfOpt, ConfigOpt, LangOpt


class CalendarFormat(enum.StrEnum):
    TABLE = "table"
    JSON = "json"


MonthOpt = Annotated[
    str | None,
    typer.Option(
        "--month", help="The month, like 2023-10; default: the report day's.", metavar="MONTH"
    ),
]
FolderArg = Annotated[
    str | None,
    typer.Argument(help="The campaign folder (or a file in it).", show_default=".", metavar="PATH"),
]
CalendarFormatOpt = Annotated[CalendarFormat, typer.Option("--format", "-f", help="table or json.")]


def calendar(
    path: FolderArg = None,
    config: ConfigOpt = None,
    month: MonthOpt = None,
    as_of: AsOfOpt = None,
    output_format: CalendarFormatOpt = CalendarFormat.TABLE,
    lang: LangOpt = None,
) -> None:
    """Show a month: holidays, make-up workdays (调休) and dekads.

    [calendar] in campaign.toml says whose holidays count (country = "CN") and the
    campaign's own rest days and workdays (docs/calendar.md).

    Example: checklist calendar examples/zhengzhou --month 2023-10
    """
    from checklist import dates
    from checklist.cli.scope import warn_unpublished
    from checklist.i18n import Lang, choose_lang
    from checklist.load.campaign import find_config, load_campaign
    from checklist.render.calendar import write_calendar
    from checklist.workdays import calendar_of, month_of, parse_month

    campaign = load_campaign(config or find_config([Path(path or ".")]))
    speaking = choose_lang(lang.value if lang else None, campaign.lang)
    if month is None:
        day = dates.as_of(as_of, timezone=campaign.timezone)
        year, number = day.year, day.month
    else:
        year, number = parse_month(month)
    chosen = calendar_of(campaign.calendar)
    shown = month_of(chosen, year, number)
    warn_unpublished(campaign, speaking, also=year if shown.unpublished else None)
    write_calendar(shown, chosen, sys.stdout, output_format.value, Lang(speaking))
