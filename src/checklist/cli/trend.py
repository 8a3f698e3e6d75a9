"""trend: how the campaign moved, day by day, against expected progress."""

from __future__ import annotations

import enum
import sys
from typing import Annotated, Any

import typer

from checklist.cli.options import (
    AsOfOpt,
    ConfigOpt,
    CountyOpt,
    FollowOpt,
    GroupOpt,
    LangOpt,
    LevelOpt,
    MeasureOpt,
    NoCacheOpt,
    OwnerOpt,
    PathsArg,
    UnitOpt,
)
from checklist.errors import EXIT_PROBLEMS


class TrendBy(enum.StrEnum):
    COUNTY = "county"
    LEVEL = "level"
    MEASURE = "measure"
    UNIT = "unit"
    GROUP = "group"
    SECTOR = "sector"


class EveryChoice(enum.StrEnum):
    DAY = "day"
    WEEK = "week"
    DEKAD = "dekad"


class TrendFormat(enum.StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


TrendByOpt = Annotated[
    TrendBy, typer.Option("--by", help="One row per county, level, measure or unit.")
]
EveryOpt = Annotated[
    EveryChoice,
    typer.Option(
        "--every",
        help="day, week (each Sunday) or dekad (the 10th, 20th and last of each month); "
        "the report day always ends the series.",
    ),
]
TrendFormatOpt = Annotated[TrendFormat, typer.Option("--format", "-f", help="table, json or csv.")]
WideOpt = Annotated[
    bool,
    typer.Option("--wide", help="Show every column whole, even wider than the terminal."),
]


def trend(
    ctx: typer.Context,
    paths: PathsArg = None,
    config: ConfigOpt = None,
    as_of: AsOfOpt = None,
    by: TrendByOpt = TrendBy.COUNTY,
    every: EveryOpt = EveryChoice.WEEK,
    county: CountyOpt = None,
    unit: UnitOpt = None,
    owner: OwnerOpt = None,
    measure: MeasureOpt = None,
    level: LevelOpt = None,
    group: GroupOpt = None,
    output_format: TrendFormatOpt = TrendFormat.TABLE,
    lang: LangOpt = None,
    follow_outside: FollowOpt = False,
    no_cache: NoCacheOpt = False,
    wide: WideOpt = False,
) -> None:
    """How rollup's counts moved, against expected progress.

    Each row's counts on every day, week end or dekad end from the campaign's start to
    the report day, against expected progress (the share of tasks due by then), with a
    traffic light per row.

    JSON has every row's series; CSV one line per row per day.

    Example: checklist trend --every dekad --format csv > trend.csv
    """
    from checklist.cli.scope import answered, open_scope
    from checklist.indexed_rollup import can_roll_up, trend_of
    from checklist.render.report import Page
    from checklist.render.trend import write_trend
    from checklist.rollup import By
    from checklist.trend import Every, campaign_trend

    grouped, sampled = By(by.value), Every(every.value)
    scope = open_scope(ctx.params, indexed=can_roll_up(grouped))
    how: dict[str, Any] = {"campaign": scope.campaign, "as_of": scope.as_of}
    how |= {"filters": scope.filters, "by": grouped, "every": sampled}
    scope, result = answered(  # from the index: counted in SQL
        ctx.params,
        scope,
        lambda index: trend_of(index, **how),
        lambda scope: campaign_trend(scope.units, **how),
    )
    page = Page(scope.campaign, scope.lang, scope.as_of, 0, scope.skipped)
    write_trend(result, sys.stdout, output_format, page, sampled, wide=wide)
    if scope.refused:
        raise typer.Exit(EXIT_PROBLEMS)
