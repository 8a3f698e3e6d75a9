"""bulletin: the office's periodic bulletin (通报), as Markdown for a group robot."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

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

if TYPE_CHECKING:
    from checklist.bulletin import Bulletin
    from checklist.i18n import Lang


class PeriodChoice(enum.StrEnum):
    WEEK = "week"
    DEKAD = "dekad"
    MONTH = "month"


class BulletinFormat(enum.StrEnum):
    MARKDOWN = "markdown"
    DOCX = "docx"


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
BulletinFormatOpt = Annotated[
    BulletinFormat,
    typer.Option(
        "--format",
        help="markdown (for a group robot), or docx: an official document, with -o FILE.docx "
        "(pip install 'campaign-checklist[docx]').",
    ),
]
OfficeOpt = Annotated[
    str | None,
    typer.Option(
        "--office",
        help="The issuing office atop the .docx (default: [bulletin] office, else the campaign).",
    ),
]
TemplateOpt = Annotated[
    Path | None,
    typer.Option(
        "--template",
        help="The office's own .docx to take the page and styles from (docs/groups.md).",
        dir_okay=False,
        metavar="FILE.docx",
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
    output_format: BulletinFormatOpt = BulletinFormat.MARKDOWN,
    office: OfficeOpt = None,
    template: TemplateOpt = None,
    output: OutputOpt = None,
    lang: LangOpt = None,
    follow_outside: FollowOpt = False,
    no_cache: NoCacheOpt = False,
) -> None:
    """The period's bulletin (通报): Markdown for a group chat, or .docx.

    Counties (or liaison groups) ranked by on-time % with the change since the previous
    period, their lights, what was done in the period, the units furthest behind and the
    unit files missing; split into messages a WeCom robot takes (4,096 bytes each).
    --send posts them to the campaign's [webhook]; --format docx -o FILE.docx writes an
    official document, issued by campaign.toml's [bulletin] office, on the shipped
    template or the office's own (--template).

    \b
    Example: checklist bulletin examples/zhengzhou --period dekad --lang zh
    Example: checklist bulletin --send
    Example: checklist bulletin --format docx --office 市委主题教育办 -o 通报.docx
    Example: checklist bulletin --format docx --template 模板.docx -o 通报.docx
    """
    import os
    import sys

    from checklist.bulletin import Period, build_bulletin
    from checklist.cli.export import text_output
    from checklist.cli.scope import open_scope
    from checklist.errors import UsageError
    from checklist.i18n import t
    from checklist.remind.bulletin import message_limit, open_webhook, post_bulletin
    from checklist.render.bulletin import bulletin_markdown, bulletin_title, split_messages
    from checklist.rollup import By
    from checklist.words import printable

    docx = output_format is BulletinFormat.DOCX
    if docx and output is None:  # refused before anything is read
        raise UsageError.said("bulletin.docx_to_terminal")
    if template is not None and not docx:
        raise UsageError.said("bulletin.template_without_docx")
    document = _template(template) if docx else None  # python-docx and the template, first
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
    if docx and output is not None:
        settings = scope.campaign.bulletin
        issuer = office or settings.office or scope.campaign.name
        _write_docx(output, result, scope.lang, issuer, settings.number, document)
    elif webhook is None or output is not None:
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


def _template(path: Path | None) -> Any:
    """The .docx template opened (python-docx is an optional extra): a missing extra or a
    file that is no .docx is exit 2 before any work."""
    from checklist.errors import UsageError

    try:
        import docx as _  # noqa: F401
    except ImportError:
        raise UsageError.said("bulletin.docx_missing") from None
    from checklist.render.bulletin_docx import TemplateError, open_template

    try:
        return open_template(path)
    except TemplateError as error:
        raise UsageError.said("bulletin.template_bad", file=path, reason=str(error)) from None


def _write_docx(
    path: Path, result: Bulletin, lang: Lang, office: str, number: str | None, template: Any
) -> None:
    from checklist.atomic import write_atomic
    from checklist.i18n import t
    from checklist.render.bulletin_docx import bulletin_docx
    from checklist.words import printable

    data = bulletin_docx(result, lang, office, number=number, template=template)
    write_atomic(path, data)
    print(printable(t("bulletin.written", lang, file=path)))
