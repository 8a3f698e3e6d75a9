"""changes: what the git history of the unit files says changed, and who changed it."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Annotated, Any

import typer

from checklist.cli.options import AsOfOpt, ConfigOpt, LangOpt, OutputOpt, PathsArg

if TYPE_CHECKING:
    from pathlib import Path

    from checklist.cli.scope import Scope
    from checklist.history.milestones import MilestoneRow
    from checklist.load.store import Store
    from checklist.model import Campaign, Milestone


class ChangesFormat(enum.StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    MARKDOWN = "markdown"


SinceOpt = Annotated[
    str,
    typer.Option(
        "--since",
        help="From this point: a day (2023-11-13, 1w, 14d: that long before the report day) "
        "or a commit (a1b2c3d, HEAD~5, a tag).",
        metavar="DAY|REV",
    ),
]
UntilOpt = Annotated[
    str | None,
    typer.Option(
        "--until",
        help="To this point (a day, through its end, or a commit); "
        "default: now, uncommitted changes included.",
        metavar="DAY|REV",
        show_default=False,
    ),
]
MilestonesOpt = Annotated[
    bool,
    typer.Option(
        "--milestones",
        help="Instead of the counts: each [[milestones]] per county, met, late (days) or "
        "missing, from the git history (each unit file's first commit).",
    ),
]
StaleOpt = Annotated[
    str | None,
    typer.Option(
        "--stale",
        help="Instead of the tasks: units with open tasks whose file no commit has touched "
        "for N days (14d, 2w), from the git history.",
        metavar="N",
        show_default=False,
    ),
]
HistoryOpt = Annotated[
    bool,
    typer.Option(
        "--history",
        help="Instead of the counts: per county, the done dates the git history records and "
        "how many were written more than [history] backdate_days after the fact (补录).",
    ),
]
AsKnownOpt = Annotated[
    str | None,
    typer.Option(
        "--as-known",
        help="Figures from the unit files (and campaign.toml) as committed at the end of DAY, "
        "not from today's files; the report day is DAY unless --as-of says otherwise.",
        metavar="DAY",
        show_default=False,
    ),
]
BackdateOpt = Annotated[
    int | None,
    typer.Option(
        "--backdate-days",
        min=0,
        help="Flag a done date more than N days before the commit that wrote it; "
        "default: [history] backdate_days, else 3.",
        metavar="N",
        show_default=False,
    ),
]
FormatOpt = Annotated[
    ChangesFormat, typer.Option("--format", "-f", help="table, json, csv or markdown.")
]


def changes(
    paths: PathsArg = None,
    since: SinceOpt = "1w",
    until: UntilOpt = None,
    config: ConfigOpt = None,
    as_of: AsOfOpt = None,
    backdate_days: BackdateOpt = None,
    output_format: FormatOpt = ChangesFormat.TABLE,
    lang: LangOpt = None,
    output: OutputOpt = None,
) -> None:
    """What changed in the unit files, by whom, from their git history.

    Per county and unit: tasks done (with the commit's day and author), reopened, added,
    removed; due dates postponed, or moved with nothing recording it; units added,
    removed, renamed. Done dates written long after the fact (补录) are flagged.

    Example: checklist changes --since 1w --format markdown
    """
    from checklist.cli.export import text_output
    from checklist.cli.options import cli_paths
    from checklist.history.read import read_changes
    from checklist.i18n import Lang, choose_lang
    from checklist.load.campaign import find_config, load_campaign
    from checklist.render.changes import write_changes

    given = cli_paths(paths)
    campaign = load_campaign(config or find_config(given))
    speak = choose_lang(Lang(lang.value) if lang else None, campaign.lang)
    result = read_changes(
        given,
        campaign=campaign,
        since=since,
        until=until,
        as_of=as_of,
        backdate_days=backdate_days,
    )
    due = [
        m
        for m in campaign.milestones
        if result.until_day is not None
        and (result.since_day is None or result.since_day <= m.date)
        and m.date <= result.until_day
    ]
    standing = _milestone_rows(given, campaign, due, config, as_of) if due else []
    with text_output(output) as out:
        write_changes(result, out, output_format.value, campaign, speak, milestones=standing)


def _milestone_rows(
    paths: list[Path],
    campaign: Campaign,
    due: list[Milestone],
    config: Path | None,
    as_of: str | None,
) -> list[MilestoneRow]:
    """How the milestones dated within the window stand, as rollup --milestones says."""
    from checklist.cli.scope import open_scope
    from checklist.history.read import read_milestones

    params: dict[str, Any] = {"paths": paths, "config": config, "as_of": as_of, "lang": None}
    params |= {"follow_outside": False, "no_cache": False}
    scope = open_scope(params)
    rows = read_milestones(paths, campaign=campaign, units=scope.units)
    return [row for row in rows if row.milestone in due]


def rollup_milestones(params: Mapping[str, Any]) -> None:
    """rollup --milestones: each milestone per county, from the units' first commits."""
    from checklist.history.read import read_milestones
    from checklist.render.changes import write_milestones

    _per_county(params, read_milestones, write_milestones)


def _per_county(
    params: Mapping[str, Any], read: Callable[..., Any], write: Callable[..., None]
) -> None:
    """A report from git over the units the filters keep, written where -o says."""
    from checklist.cli.export import text_output
    from checklist.cli.options import cli_paths, path_param
    from checklist.cli.scope import open_scope

    scope = open_scope(params)
    units = [u for u in scope.units if scope.filters.keep_unit(u)]
    rows = read(cli_paths(params["paths"]), campaign=scope.campaign, units=units)
    with text_output(path_param(params["output"])) as out:
        write(rows, out, _text_format(params), scope.campaign, scope.lang)


def known_scope(params: Mapping[str, Any]) -> Scope:
    """status and rollup --as-known DAY: the scope of the files as committed on DAY.

    The report day is DAY unless --as-of says otherwise.
    """
    import sys

    from checklist import dates
    from checklist.cli.options import cli_paths, path_param
    from checklist.cli.scope import Scope
    from checklist.filters import make_filters
    from checklist.history.known import as_known
    from checklist.i18n import Lang, choose_lang, t
    from checklist.load.campaign import find_config, load_campaign

    paths = cli_paths(params["paths"])
    campaign = load_campaign(path_param(params["config"]) or find_config(paths))
    today = dates.today(campaign.timezone)
    day = dates.parse_day(params["as_known"], base=dates.as_of(None, timezone=campaign.timezone))
    from checklist.cli.scope import open_cache

    def cache() -> Store | None:
        return open_cache(campaign, params["no_cache"])

    known = as_known(paths, campaign=campaign, day=day, today=today, cache=cache)
    report_day = (
        dates.as_of(params["as_of"], timezone=campaign.timezone) if params["as_of"] else day
    )
    chosen = Lang(params["lang"]) if params.get("lang") else None
    lang = choose_lang(chosen, known.campaign.lang)
    if known.skipped:
        print(t("skipped", lang, count=known.skipped), file=sys.stderr)
    given = {k: params.get(k) or () for k in ("county", "unit", "owner", "measure", "level")}
    given["state"] = params.get("state") or ()
    filters = make_filters(known.campaign, known.units, **given)
    return Scope(known.campaign, report_day, known.units, filters, lang, chosen, known.skipped, 0)


def _days(text: str) -> int:
    """--stale: 14, 14d or 2w, as a number of days."""
    import re

    from checklist.errors import UsageError

    found = re.fullmatch(r"\s*(\d{1,5})\s*([dw]?)\s*", text)
    if found is None:
        raise UsageError(
            f"--stale {text}: write a number of days (14, 14d) or weeks (2w)",
            zh=f"--stale {text}:要写天数(如 14、14d)或周数(如 2w)",
        )
    return int(found[1]) * (7 if found[2] == "w" else 1)


def status_stale(params: Mapping[str, Any]) -> None:
    """status --stale N: the units whose file has not been committed for N days."""
    from checklist.cli.export import text_output
    from checklist.cli.options import cli_paths, path_param
    from checklist.cli.scope import open_scope
    from checklist.history.read import read_stale
    from checklist.render.history import write_stale

    days = _days(params["stale"])
    scope = known_scope(params) if params.get("as_known") else open_scope(params)
    stale = read_stale(
        cli_paths(params["paths"]),
        campaign=scope.campaign,
        units=[u for u in scope.units if scope.filters.keep_unit(u)],
        as_of=scope.as_of,
        days=days,
    )
    with text_output(path_param(params["output"])) as out:
        write_stale(
            stale,
            out,
            _text_format(params),
            scope.campaign,
            scope.lang,
            as_of=scope.as_of,
            days=days,
        )


def rollup_history(params: Mapping[str, Any]) -> None:
    """rollup --history: back-dated done dates per county."""
    from checklist.history.read import read_backdated
    from checklist.render.history import write_backdated

    _per_county(params, read_backdated, write_backdated)


def _text_format(params: Mapping[str, Any]) -> str:
    """The report's format; a workbook is not made of these lists: its table instead."""
    chosen = str(params["output_format"])
    return "table" if chosen == "xlsx" else chosen
