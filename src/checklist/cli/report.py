"""status and rollup: where the tasks stand, listed or counted."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from checklist.cli.history import AsKnownOpt, HistoryOpt, MilestonesOpt, StaleOpt
from checklist.cli.options import (
    SOON_MAX,
    AsOfOpt,
    ByChoice,
    ConfigOpt,
    CountyOpt,
    FailOpt,
    FollowOpt,
    GroupOpt,
    LangOpt,
    LevelOpt,
    MeasureOpt,
    NoCacheOpt,
    OutputOpt,
    OwnerOpt,
    PathsArg,
    ReportFormat,
    ReportFormatOpt,
    SortChoice,
    StateOpt,
    UnitOpt,
)
from checklist.errors import EXIT_PROBLEMS

if TYPE_CHECKING:
    from checklist.cli.scope import Scope
    from checklist.status import Entry, Summary

StatusSoonOpt = Annotated[
    int | None,
    typer.Option(
        "--soon",
        min=0,
        max=SOON_MAX,
        help="Also list tasks due within N days (default 7 in the summary).",
        metavar="N",
        show_default=False,
    ),
]
AllOpt = Annotated[bool, typer.Option("--all", help="List every task with its state.")]
RollupSoonOpt = Annotated[
    int,
    typer.Option(
        "--soon",
        min=0,
        max=SOON_MAX,
        help="Count tasks due within N days as due soon.",
        metavar="N",
    ),
]
ByOpt = Annotated[
    ByChoice,
    typer.Option(
        "--by", help="One row per county, level, measure, owner, unit, liaison group or sector."
    ),
]
MeasuresOpt = Annotated[
    bool,
    typer.Option(
        "--measures",
        help="Add a done/tasks (overdue) column per measure; in CSV, three number columns.",
    ),
]
WideOpt = Annotated[
    bool,
    typer.Option("--wide", help="Show every column whole, even wider than the terminal."),
]
LightsOpt = Annotated[
    bool,
    typer.Option(
        "--lights",
        help="Add Expected %, points behind and the light (green, yellow, red) to the table; "
        "JSON always has them.",
    ),
]
RankOpt = Annotated[
    bool,
    typer.Option(
        "--rank",
        help="Add each row's rank (least behind expected progress first) and its change "
        "since --compare to the table; JSON always has them.",
    ),
]
CompareOpt = Annotated[
    str | None,
    typer.Option(
        "--compare",
        help="The day ranks are compared with (2023-11-13, -2w: before the report day); "
        "default: a week before the report day.",
        metavar="DAY",
        show_default=False,
    ),
]
SortOpt = Annotated[
    SortChoice | None,
    typer.Option(
        "--sort",
        help="overdue (most first), completion (lowest first) or code; "
        "default: campaign.toml order.",
        show_default=False,
    ),
]


def status(
    ctx: typer.Context,
    paths: PathsArg = None,
    config: ConfigOpt = None,
    as_of: AsOfOpt = None,
    soon: StatusSoonOpt = None,
    everything: AllOpt = False,
    county: CountyOpt = None,
    unit: UnitOpt = None,
    owner: OwnerOpt = None,
    measure: MeasureOpt = None,
    level: LevelOpt = None,
    group: GroupOpt = None,
    state: StateOpt = None,
    output_format: ReportFormatOpt = ReportFormat.TABLE,
    fail_on_overdue: FailOpt = False,
    lang: LangOpt = None,
    follow_outside: FollowOpt = False,
    no_cache: NoCacheOpt = False,
    wide: WideOpt = False,
    output: OutputOpt = None,
    as_known: AsKnownOpt = None,
    stale: StaleOpt = None,
) -> None:
    """List overdue (and due-soon) tasks, most overdue first.

    A one-line summary follows the table.

    Example: checklist status --county 二七区 --soon 7
    """
    if stale is not None:  # from the history: docs/history.md
        from checklist.cli.history import status_stale

        status_stale(ctx.params)
        return
    import gc

    # A report makes objects that hold no cycles, tens of thousands, and then the process
    # ends: the collector's passes over them were a tenth of a warm run.
    if gc.isenabled():
        gc.disable()
        ctx.call_on_close(gc.enable)  # as it was, for a caller that runs on (tests)
    from checklist.cli.export import save_workbook, text_output, workbook_target
    from checklist.cli.scope import answered, open_scope
    from checklist.indexed_status import status as indexed_status
    from checklist.render.report import Page
    from checklist.render.status import write_status
    from checklist.status import DEFAULT_SOON_DAYS, listed_entries, summarize

    xlsx = output_format is ReportFormat.XLSX
    target = workbook_target(ctx.params) if xlsx else output
    soon_days = DEFAULT_SOON_DAYS if soon is None else soon
    everything = everything or bool(state)
    if as_known:  # from the history: docs/history.md
        from checklist.cli.history import known_scope

        scope = known_scope(ctx.params)
    else:
        scope = open_scope(ctx.params, indexed=True)

    def from_units(scope: Scope) -> tuple[Summary, list[Entry]]:
        selected = scope.items(soon=soon_days)
        listing = listed_entries(
            selected, campaign=scope.campaign, everything=everything, soon=soon is not None
        )
        return summarize(selected), listing

    scope, (summary, rows) = answered(
        ctx.params,
        scope,
        lambda index: indexed_status(  # entries from the rows: no unit or task is made
            index,
            as_of=scope.as_of,
            soon=soon_days,
            filters=scope.filters,
            everything=everything,
            listing_soon=soon is not None,
            campaign=scope.campaign,
        ),
        from_units,
    )
    page = Page(scope.campaign, scope.lang, scope.as_of, soon_days, scope.skipped)
    if xlsx and target:
        from checklist.render.ledger import status_sheet

        sheet = status_sheet(
            rows, scope.campaign, scope.lang, everything=everything, soon=soon is not None
        )
        save_workbook(target, [sheet], scope)
    else:
        with text_output(target) as out:
            write_status(
                rows, out, output_format, page, summary=summary, everything=everything, wide=wide
            )
    if scope.refused or (fail_on_overdue and summary.overdue):
        raise typer.Exit(EXIT_PROBLEMS)


def rollup(
    ctx: typer.Context,
    paths: PathsArg = None,
    config: ConfigOpt = None,
    as_of: AsOfOpt = None,
    soon: RollupSoonOpt = 7,
    by: ByOpt = ByChoice.COUNTY,
    measures: MeasuresOpt = False,
    sort: SortOpt = None,
    lights: LightsOpt = False,
    rank: RankOpt = False,
    compare: CompareOpt = None,
    county: CountyOpt = None,
    unit: UnitOpt = None,
    owner: OwnerOpt = None,
    measure: MeasureOpt = None,
    level: LevelOpt = None,
    group: GroupOpt = None,
    output_format: ReportFormatOpt = ReportFormat.TABLE,
    fail_on_overdue: FailOpt = False,
    lang: LangOpt = None,
    follow_outside: FollowOpt = False,
    no_cache: NoCacheOpt = False,
    wide: WideOpt = False,
    output: OutputOpt = None,
    milestones: MilestonesOpt = False,
    history: HistoryOpt = False,
    as_known: AsKnownOpt = None,
) -> None:
    """Count tasks per county, level, measure, owner or unit.

    One row per group, then a total row; the worst rows are marked. --lights adds
    expected progress and a traffic light, --rank the rank and its change.

    Example: checklist rollup --measures --sort overdue
    """
    if milestones or history:  # from the history: docs/history.md
        from checklist.cli.history import rollup_history, rollup_milestones

        (rollup_milestones if milestones else rollup_history)(ctx.params)
        return
    from checklist.cli.export import save_workbook, text_output, workbook_target
    from checklist.cli.scope import answered, compare_day, open_scope
    from checklist.indexed_rollup import can_roll_up
    from checklist.indexed_rollup import rollup_standings as indexed_rollup
    from checklist.render.report import Page, write_rollup
    from checklist.rollup import By, Sort
    from checklist.trend import rollup_standings

    xlsx = output_format is ReportFormat.XLSX
    target = workbook_target(ctx.params) if xlsx else output
    grouped = By(by.value)
    if as_known:  # from the history: docs/history.md
        from checklist.cli.history import known_scope

        scope = known_scope(ctx.params)
    else:
        scope = open_scope(ctx.params, indexed=can_roll_up(grouped))
    compare_on, sorting = compare_day(compare, scope.as_of), Sort(sort.value) if sort else None
    how: dict[str, Any] = {"campaign": scope.campaign, "as_of": scope.as_of, "soon": soon}
    how |= {"compare": compare_on, "filters": scope.filters, "by": grouped, "sort": sorting}
    scope, (result, standings) = answered(  # from the index: counted in SQL
        ctx.params,
        scope,
        lambda index: indexed_rollup(index, **how),
        lambda scope: rollup_standings(scope.units, **how),
    )
    page = Page(scope.campaign, scope.lang, scope.as_of, soon, scope.skipped, standings)
    if xlsx and target:
        from checklist.i18n import t
        from checklist.render.ledger import rollup_sheet

        name = t("xlsx.sheet.summary", scope.lang)
        sheet = rollup_sheet(
            result,
            scope.campaign,
            scope.lang,
            name=name,
            measures=measures,
            standings=standings if lights else None,
        )
        save_workbook(target, [sheet], scope)
    else:
        with text_output(target) as out:
            write_rollup(
                result,
                out,
                output_format,
                page,
                measures=measures,
                wide=wide,
                lights=lights,
                rank=rank,
            )
    if scope.refused or (fail_on_overdue and result.total.counts.overdue):
        raise typer.Exit(EXIT_PROBLEMS)
