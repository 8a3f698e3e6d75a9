"""done, reopen, postpone: change one task in a unit file, keeping every comment."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from checklist.cli.options import ConfigOpt, DryRunOpt, MeasureArg, TaskArg, UnitArg

if TYPE_CHECKING:
    from collections.abc import Callable

    from checklist.edit import Edit
    from checklist.model import Campaign

OnOpt = Annotated[
    str | None,
    typer.Option(
        "--on",
        help="The day it was done (default: today in the campaign's time zone).",
        show_default=False,
        metavar="DAY",
    ),
]
ToOpt = Annotated[str, typer.Option("--to", help="The new due date.", metavar="DAY")]
ReasonOpt = Annotated[
    str, typer.Option("--reason", help="Why it moves (kept in the file).", metavar="TEXT")
]


def done(
    unit: UnitArg,
    measure: MeasureArg,
    task: TaskArg = None,
    on: OnOpt = None,
    config: ConfigOpt = None,
    dry_run: DryRunOpt = False,
) -> None:
    """Mark a task done (a repeating task: its next open occurrence).

    Example: checklist done erqi-committee study 读书班 --on 2023-11-21
    """
    from checklist import dates
    from checklist.edit import mark_done

    campaign, path = _target(unit, config)
    today = dates.as_of(None, timezone=campaign.timezone)
    day = dates.parse_day(on, base=today) if on else today
    _edit(
        path,
        lambda: mark_done(path, campaign=campaign, measure=measure, task=task, on=day),
        campaign,
        dry_run,
    )


def reopen(
    unit: UnitArg,
    measure: MeasureArg,
    task: TaskArg = None,
    config: ConfigOpt = None,
    dry_run: DryRunOpt = False,
) -> None:
    """Undo done: the task (or its last done occurrence) is open again.

    Example: checklist reopen erqi-committee study 2
    """
    from checklist.edit import reopen as open_again

    campaign, path = _target(unit, config)
    _edit(
        path,
        lambda: open_again(path, campaign=campaign, measure=measure, task=task),
        campaign,
        dry_run,
    )


def postpone(
    unit: UnitArg,
    measure: MeasureArg,
    task: TaskArg = None,
    to: ToOpt = "",
    reason: ReasonOpt = "",
    config: ConfigOpt = None,
    dry_run: DryRunOpt = False,
) -> None:
    """Move a due date, keeping the original and the reason.

    \b
    Example: checklist postpone erqi-committee rectification 1 \\
               --to 2023-12-15 --reason 经研究调整
    """
    from checklist import dates
    from checklist.edit import postpone as move
    from checklist.errors import UsageError

    if not to or not reason:
        raise UsageError(
            "postpone needs --to DATE and --reason TEXT",
            zh="延期要写明新日期和原因:--to 日期 --reason 原因,"
            "例如 --to 2023-12-15 --reason 经研究调整",
        )
    campaign, path = _target(unit, config)
    day = dates.parse_day(to, base=dates.as_of(None, timezone=campaign.timezone))
    _edit(
        path,
        lambda: move(path, campaign=campaign, measure=measure, task=task, to=day, reason=reason),
        campaign,
        dry_run,
    )


def _target(unit: str, config: Path | None) -> tuple[Campaign, Path]:
    """The campaign and the unit's file, found from the unit's file or the current folder."""
    from checklist.load.campaign import find_config, load_campaign
    from checklist.target import find_unit

    start = Path(unit) if Path(unit).exists() else Path()
    campaign = load_campaign(config or find_config([start]))
    return campaign, find_unit(campaign, unit)


def _edit(path: Path, make: Callable[[], Edit], campaign: Campaign, dry_run: bool) -> None:
    """Make the edit holding the file's lock; show its diff, or write it and say what changed.

    A dry run makes every check the real run makes: it never shows a diff that
    the real run would refuse.
    """
    from checklist import dates
    from checklist.edit import apply, check, editing
    from checklist.errors import EditError
    from checklist.load.source import display
    from checklist.words import printable

    today = max(dates.today(campaign.timezone), dates.as_of(None, timezone=campaign.timezone))
    try:
        with editing(path):
            edit = make()
            if dry_run:
                check(edit, campaign=campaign, today=today)
            else:
                apply(edit, campaign=campaign, today=today)
    except EditError as error:
        if dry_run:
            raise EditError(
                f"--dry-run: the real run would refuse this edit: {error}",
                zh=f"--dry-run:真正运行时不会做这个修改:{error.speaking('zh')}",
            ) from None
        raise
    if dry_run:
        for line in edit.diff().splitlines():
            print(printable(line))
    else:
        print(printable(f"{display(edit.path)}: {edit.summary}"))
