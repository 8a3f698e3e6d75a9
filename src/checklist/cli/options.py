"""The options several commands share, each named once, with words for metavars."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated, Any

import typer

# --soon: a hundred years is more than any campaign, and keeps the horizon in the calendar.
SOON_MAX = 36_500


class ValidateFormat(enum.StrEnum):
    TEXT = "text"
    JSON = "json"
    GITHUB = "github"
    GITLAB = "gitlab"
    SARIF = "sarif"
    JUNIT = "junit"


class ReportFormat(enum.StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    MARKDOWN = "markdown"
    XLSX = "xlsx"  # a workbook: only to a file (-o)


class RemindFormat(enum.StrEnum):
    TEXT = "text"
    JSON = "json"


class Preset(enum.StrEnum):
    ZHENGZHOU = "zhengzhou"


class LevelChoice(enum.StrEnum):
    COUNTY = "county"
    GRASSROOTS = "grassroots"


class LangChoice(enum.StrEnum):
    ZH = "zh"
    EN = "en"


class ByChoice(enum.StrEnum):
    COUNTY = "county"
    LEVEL = "level"
    MEASURE = "measure"
    OWNER = "owner"
    UNIT = "unit"
    GROUP = "group"
    SECTOR = "sector"


class SortChoice(enum.StrEnum):
    OVERDUE = "overdue"
    COMPLETION = "completion"
    CODE = "code"


PathsArg = Annotated[
    list[str] | None,
    # Text, made paths by the command (cli_paths): typer's path checks cost 2 s for the
    # 10,000 names a pre-commit run passes, and an unreadable file or folder is a located
    # problem (E001), not a usage error.
    typer.Argument(help="Unit files or folders to check.", show_default=".", metavar="PATHS"),
]


def path_param(value: str | Path | None) -> Path | None:
    """A path option read from ``ctx.params``: typer 0.29 hands over a Path, 0.28 its text."""
    return Path(value) if value else None


def cli_paths(given: list[str] | None) -> list[Path]:
    """PATHS as paths; none given means the working folder."""
    return [Path(p) for p in given] if given else [Path()]


ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        help="campaign.toml to use, instead of the nearest one above PATHS.",
        dir_okay=False,
        metavar="FILE",
    ),
]
AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="The day to judge by (2023-11-20, yesterday, -1w); "
        "default: $CHECKLIST_AS_OF, else today in the campaign's time zone.",
        metavar="DAY",
    ),
]
ReportFormatOpt = Annotated[
    ReportFormat,
    typer.Option("--format", "-f", help="table, json, csv, markdown or xlsx (with -o FILE)."),
]
OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output-file",
        "-o",
        help="Write the report to FILE (replaced whole, or not at all) instead of stdout; "
        "needed for xlsx.",
        dir_okay=False,
        metavar="FILE",
        show_default=False,
    ),
]
LangOpt = Annotated[
    LangChoice | None,
    typer.Option(
        "--lang",
        help="zh or en; default: the locale's (LC_ALL, LC_MESSAGES, LANG), else [campaign] lang.",
        show_default=False,
    ),
]
FailOpt = Annotated[
    bool, typer.Option("--fail-on-overdue", help="Exit 1 when a selected task is overdue.")
]
FollowOpt = Annotated[
    bool,
    typer.Option(
        "--follow-outside",
        help="Also read unit files and folders whose real path (through links) is outside "
        "the campaign folder; refused by default.",
    ),
]
NoCacheOpt = Annotated[
    bool,
    typer.Option(
        "--no-cache",
        help="Check every file afresh; do not read or write the cache of earlier results.",
    ),
]


def _many(name: str, what: str, metavar: str) -> Any:
    return typer.Option(
        name, help=f"Only {what}; repeat for more than one.", show_default=False, metavar=metavar
    )


CountyOpt = Annotated[list[str] | None, _many("--county", "this county (code or name)", "COUNTY")]
UnitOpt = Annotated[list[str] | None, _many("--unit", "this unit (id)", "UNIT")]
OwnerOpt = Annotated[list[str] | None, _many("--owner", "this owner (name or address)", "OWNER")]
MeasureOpt = Annotated[
    list[str] | None, _many("--measure", "this measure (key or name)", "MEASURE")
]
LevelOpt = Annotated[list[str] | None, _many("--level", "this level (county, grassroots)", "LEVEL")]
GroupOpt = Annotated[
    list[str] | None, _many("--group", "units this liaison group covers (name)", "GROUP")
]
StateOpt = Annotated[
    list[str] | None,
    _many("--state", "tasks in this state (done, done_late, overdue, due_soon, open)", "STATE"),
]

DryRunOpt = Annotated[
    bool, typer.Option("--dry-run", help="Show the change as a diff; write nothing.")
]
MeasureArg = Annotated[
    str, typer.Argument(help="The measure: key (study) or name (理论学习).", metavar="MEASURE")
]
TaskArg = Annotated[
    str | None,
    typer.Argument(
        help="The task: its number (1, 2, …), its id, or a unique part of its "
        "title; leave out for a measure without tasks.",
        show_default=False,
        metavar="TASK",
    ),
]
UnitArg = Annotated[str, typer.Argument(help="The unit: its id, or its file.", metavar="UNIT")]
