"""chart: the wall chart (挂图作战), one self-contained HTML page to open offline and print."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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
from checklist.cli.report import CompareOpt
from checklist.errors import EXIT_PROBLEMS

PageOpt = Annotated[
    Path | None,
    typer.Option(
        "--output-file",
        "-o",
        help="The page to write (.html); an existing file is replaced whole, or not at all.",
        dir_okay=False,
        metavar="FILE",
        show_default=False,
    ),
]


def chart(
    ctx: typer.Context,
    paths: PathsArg = None,
    output: PageOpt = None,
    config: ConfigOpt = None,
    as_of: AsOfOpt = None,
    compare: CompareOpt = None,
    county: CountyOpt = None,
    unit: UnitOpt = None,
    owner: OwnerOpt = None,
    measure: MeasureOpt = None,
    level: LevelOpt = None,
    group: GroupOpt = None,
    lang: LangOpt = None,
    follow_outside: FollowOpt = False,
    no_cache: NoCacheOpt = False,
) -> None:
    """Write the wall chart (挂图作战): the campaign on one HTML page.

    Headline, county × measure matrix with traffic lights against expected progress,
    ranking and its change, done % against expected % day by day, missing units, the
    units most overdue, the liaison groups (联络组) when campaign.toml has [[groups]],
    and a section per county. It needs no network, and prints on one A3 landscape
    page (another for the groups), then a page per county on A4.

    Example: checklist chart examples/zhengzhou -o wall.html
    """
    from checklist.atomic import write_atomic
    from checklist.chart import build_chart
    from checklist.cli.scope import compare_day, open_scope
    from checklist.errors import UsageError
    from checklist.i18n import t
    from checklist.render.chart import render_chart
    from checklist.words import printable

    if output is None:  # refused before anything is read
        raise UsageError.said("chart.to_terminal")
    scope = open_scope(ctx.params)
    result = build_chart(
        scope.units,
        campaign=scope.campaign,
        as_of=scope.as_of,
        compare=compare_day(compare, scope.as_of),
        filters=scope.filters,
    )
    campaign = scope.campaign
    marks = (
        (campaign.start, t("chart.start", scope.lang)),
        *((m.date, m.name) for m in campaign.milestones),
        (campaign.end, t("chart.end", scope.lang)),
    )
    page = render_chart(result, scope.lang, marks=marks, skipped=scope.skipped)
    write_atomic(output, page.encode("utf-8"))
    units = result.total.row.units
    counties = len(result.counties)
    said = t(
        "chart.written", scope.lang, file=output, counties=counties, units=units, as_of=scope.as_of
    )
    print(printable(said))
    if scope.refused:
        raise typer.Exit(EXIT_PROBLEMS)
