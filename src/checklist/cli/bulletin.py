"""bulletin: the office's periodic bulletin (通报), as Markdown for a group robot."""

from __future__ import annotations

import enum
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
    NoCacheOpt,
    OutputOpt,
    PathsArg,
)


class PeriodChoice(enum.StrEnum):
    WEEK = "week"
    DEKAD = "dekad"
    MONTH = "month"


class AreaChoice(enum.StrEnum):
    COUNTY = "county"
    GROUP = "group"


PeriodOpt = Annotated[
    PeriodChoice,
    typer.Option("--period", help="The period ending on the report day: week, dekad (旬), month."),
]
AreaOpt = Annotated[
    AreaChoice, typer.Option("--by", help="Rank counties, or top-level liaison groups.")
]
MaxBytesOpt = Annotated[
    int,
    typer.Option(
        "--max-bytes",
        min=256,
        help="Split into messages of at most this many bytes (WeCom markdown: 4096).",
    ),
]


def bulletin(
    ctx: typer.Context,
    paths: PathsArg = None,
    config: ConfigOpt = None,
    as_of: AsOfOpt = None,
    period: PeriodOpt = PeriodChoice.WEEK,
    by: AreaOpt = AreaChoice.COUNTY,
    county: CountyOpt = None,
    level: LevelOpt = None,
    group: GroupOpt = None,
    max_bytes: MaxBytesOpt = 4096,
    output: OutputOpt = None,
    lang: LangOpt = None,
    follow_outside: FollowOpt = False,
    no_cache: NoCacheOpt = False,
) -> None:
    """The period's bulletin (通报) in Markdown for a group chat.

    Counties (or liaison groups) ranked by on-time % with the change since the previous
    period, their lights, what was done in the period, the units furthest behind and the
    unit files missing; split into messages a WeCom robot takes (4,096 bytes each).

    Example: checklist bulletin examples/zhengzhou --period dekad --lang zh
    """
    from checklist.bulletin import Period, build_bulletin
    from checklist.cli.export import text_output
    from checklist.cli.scope import open_scope
    from checklist.render.bulletin import bulletin_markdown, split_messages
    from checklist.rollup import By

    scope = open_scope(ctx.params)
    result = build_bulletin(
        scope.units,
        campaign=scope.campaign,
        as_of=scope.as_of,
        period=Period(period.value),
        soon=7,
        filters=scope.filters,
        by=By(by.value),
    )
    messages = split_messages(bulletin_markdown(result, scope.lang), scope.lang, limit=max_bytes)
    with text_output(output) as out:
        out.write("\n---\n\n".join(messages))
    if scope.refused:
        raise typer.Exit(1)
