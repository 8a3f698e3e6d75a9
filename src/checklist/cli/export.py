"""export: the ledger (台账) as one Excel workbook; and the workbook and -o of status and rollup."""

from __future__ import annotations

import contextlib
import functools
import io
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any

import typer

from checklist.cli.options import (
    SOON_MAX,
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
    StateOpt,
    UnitOpt,
)
from checklist.errors import EXIT_PROBLEMS

if TYPE_CHECKING:
    from checklist.cli.scope import Scope
    from checklist.render.xlsx import Sheet

WorkbookOpt = Annotated[
    Path | None,
    typer.Option(
        "--output-file",
        "-o",
        help="The workbook to write (.xlsx); an existing file is replaced whole, or not at all.",
        dir_okay=False,
        metavar="FILE",
        show_default=False,
    ),
]
ExportSoonOpt = Annotated[
    int,
    typer.Option(
        "--soon",
        min=0,
        max=SOON_MAX,
        help="List tasks due within N days on the overdue sheet, as due soon.",
        metavar="N",
    ),
]


def export(
    ctx: typer.Context,
    paths: PathsArg = None,
    output: WorkbookOpt = None,
    config: ConfigOpt = None,
    as_of: AsOfOpt = None,
    soon: ExportSoonOpt = 7,
    county: CountyOpt = None,
    unit: UnitOpt = None,
    owner: OwnerOpt = None,
    measure: MeasureOpt = None,
    level: LevelOpt = None,
    group: GroupOpt = None,
    state: StateOpt = None,
    lang: LangOpt = None,
    follow_outside: FollowOpt = False,
    no_cache: NoCacheOpt = False,
) -> None:
    """Write the ledger (台账) as an Excel workbook to print and read.

    A summary sheet (the county roll-up), the liaison groups' roll-up when the
    campaign has [[groups]], the overdue and due-soon tasks, and one sheet per
    county with every task of its units.

    Example: checklist export examples/zhengzhou -o 台账.xlsx
    """
    from checklist.cli.scope import compare_day, open_scope
    from checklist.i18n import t
    from checklist.render.ledger import ledger_sheets
    from checklist.rollup import By
    from checklist.status import listed
    from checklist.trend import rollup_standings
    from checklist.words import printable

    target = workbook_target(ctx.params)
    scope = open_scope(ctx.params)
    selected = scope.items(soon=soon)
    roll_up = functools.partial(
        rollup_standings,
        scope.units,
        campaign=scope.campaign,
        as_of=scope.as_of,
        compare=compare_day(None, scope.as_of),
        soon=soon,
        filters=scope.filters,
    )
    result, standings = roll_up()
    # rollup --by group's rows, as that command makes them
    groups = roll_up(by=By.GROUP) if scope.campaign.groups else None
    pressing = listed(selected, campaign=scope.campaign, everything=False, soon=True)
    sheets = ledger_sheets(
        result, selected, pressing, scope.campaign, scope.lang, standings, groups
    )
    save_workbook(target, sheets, scope)
    written = t("xlsx.written", scope.lang, file=target, sheets=len(sheets), tasks=len(selected))
    print(printable(written))
    if scope.refused:
        raise typer.Exit(EXIT_PROBLEMS)


def workbook_target(params: Mapping[str, Any]) -> Path:
    """Where a workbook goes: -o FILE; the screen is refused before anything is read."""
    from checklist.errors import UsageError

    if params.get("output") is None:  # the error boundary speaks the campaign's language
        raise UsageError.said("xlsx.to_terminal")
    return Path(params["output"])


def save_workbook(path: Path, sheets: Sequence[Sheet], scope: Scope) -> None:
    """The sheets as one workbook at ``path``, written atomically."""
    from checklist.atomic import write_atomic
    from checklist.render.xlsx import Heading, workbook_bytes

    heading = Heading(scope.campaign.name, scope.as_of, scope.lang)
    write_atomic(path, workbook_bytes(sheets, heading))


@contextlib.contextmanager
def text_output(path: Path | None) -> Iterator[IO[str]]:
    """stdout, or a text buffer written atomically to ``path`` (UTF-8) once the report is whole."""
    if path is None:
        yield sys.stdout
        return
    from checklist.atomic import write_atomic

    buffer = io.StringIO()
    yield buffer
    write_atomic(path, buffer.getvalue().encode("utf-8"))
