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
SendOpt = Annotated[
    bool,
    typer.Option(
        "--send",
        help="Post each message to the campaign's [webhook] robot, in order "
        "(prints nothing unless -o is given; exit 1 if one fails).",
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
    send: SendOpt = False,
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
    import os
    import sys

    from checklist.bulletin import Period, build_bulletin
    from checklist.cli.export import text_output
    from checklist.cli.scope import open_scope
    from checklist.i18n import t
    from checklist.remind.bulletin import message_limit, open_webhook, post_bulletin
    from checklist.render.bulletin import bulletin_markdown, bulletin_title, split_messages
    from checklist.rollup import By
    from checklist.words import printable

    scope = open_scope(ctx.params)
    webhook = open_webhook(scope.campaign, os.environ) if send else None  # exit 2 before any work
    result = build_bulletin(
        scope.units,
        campaign=scope.campaign,
        as_of=scope.as_of,
        period=Period(period.value),
        soon=7,
        filters=scope.filters,
        by=By(by.value),
    )
    limit = max_bytes if webhook is None else message_limit(webhook.config, max_bytes)
    messages = split_messages(bulletin_markdown(result, scope.lang), scope.lang, limit=limit)
    if webhook is None or output is not None:
        with text_output(output) as out:
            out.write("\n---\n\n".join(messages))
    if webhook is not None:
        title = bulletin_title(result, scope.lang)
        posted = post_bulletin(webhook, title, messages)
        if posted.reason is not None:
            line = t(
                "bulletin.not_posted",
                scope.lang,
                n=posted.sent + 1,
                of=posted.of,
                reason=posted.reason,
                sent=posted.sent,
            )
            sys.stderr.write(printable(line) + "\n")
            raise typer.Exit(1)
    if scope.refused:
        raise typer.Exit(1)
