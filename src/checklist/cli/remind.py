"""remind: tonight's reminders, printed for cron to mail, or sent."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
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
    MeasureOpt,
    NoCacheOpt,
    OwnerOpt,
    PathsArg,
    RemindFormat,
    UnitOpt,
)
from checklist.errors import EXIT_PROBLEMS
from checklist.i18n import Lang

if TYPE_CHECKING:
    from collections.abc import Mapping
    from contextlib import ExitStack

    from checklist.cli.scope import Scope
    from checklist.remind.channels import Channel
    from checklist.remind.send import Outcome

SendOpt = Annotated[
    bool, typer.Option("--send", help="Deliver by e-mail and webhook, as campaign.toml says.")
]
RemindDryRunOpt = Annotated[
    bool,
    typer.Option(
        "--dry-run", help="With --send: show what would be sent; send and record nothing."
    ),
]
StateFileOpt = Annotated[
    Path | None,
    typer.Option(
        "--state",
        help="Where --send remembers what was delivered; default "
        ".checklist/remind-state.json in the campaign folder.",
        dir_okay=False,
        show_default=False,
        metavar="FILE",
    ),
]
RemindFormatOpt = Annotated[
    RemindFormat, typer.Option("--format", "-f", help="text, or json (the planned messages).")
]


def remind(
    ctx: typer.Context,
    paths: PathsArg = None,
    config: ConfigOpt = None,
    as_of: AsOfOpt = None,
    send: SendOpt = False,
    dry_run: RemindDryRunOpt = False,
    state_file: StateFileOpt = None,
    county: CountyOpt = None,
    unit: UnitOpt = None,
    owner: OwnerOpt = None,
    measure: MeasureOpt = None,
    level: LevelOpt = None,
    group: GroupOpt = None,
    output_format: RemindFormatOpt = RemindFormat.TEXT,
    lang: LangOpt = None,
    follow_outside: FollowOpt = False,
    no_cache: NoCacheOpt = False,
) -> None:
    """Tonight's reminders for owners, and escalations for contacts.

    Without --send, print them (cron mails what a job prints; a quiet night prints nothing).

    \b
    Example: checklist remind --send
    In crontab: 30 0 * * * checklist remind --send
    """
    import contextlib
    import gc

    from checklist.cli.scope import open_scope

    collecting = gc.isenabled()
    gc.disable()  # until the night's rows are read (_plan): they hold no cycles
    scope = open_scope(ctx.params, indexed=True)
    language = _language(scope)
    # Text printed without sending shows no task list: the messages need none.
    whole = send or output_format is RemindFormat.JSON
    with contextlib.ExitStack() as held:  # the index's snapshot, until the last message
        scope, messages = _plan(ctx.params, scope, language, tasks=whole, held=held)
        # The rows are kept out of every collection from here; the messages are collected
        # (JSON with an indent leaves a cycle of closures a message).
        if not gc.get_freeze_count():  # none frozen before (validate freezes its own): as found
            ctx.call_on_close(gc.unfreeze)
        gc.freeze()
        if collecting:
            gc.enable()
        _night(
            scope,
            messages,
            output_format,
            language,
            send=send,
            dry_run=dry_run,
            state_file=state_file,
        )


def _night(
    scope: Scope,
    messages: Iterator[dict[str, Any]],
    output_format: RemindFormat,
    language: Lang,
    *,
    send: bool,
    dry_run: bool,
    state_file: Path | None,
) -> None:
    """Each message printed as it is made (and sent): the night is never held whole."""
    from checklist.render.remind import Printed, write_undelivered

    printed = Printed(sys.stdout, output_format, as_of=scope.as_of, lang=language)
    if not send:
        for _ in printed.passing(messages):
            pass
        printed.end(None)
        if scope.refused:
            raise typer.Exit(EXIT_PROBLEMS)
        return
    if dry_run:  # checks the configuration and names who cannot be reached, as --send would
        from checklist.remind.channels import open_channels

        channels = open_channels(scope.campaign, dict(os.environ))
        outcome = _unreachable(printed.passing(messages), channels)
        printed.end(outcome)
    elif output_format is RemindFormat.JSON:
        outcome = _send(scope, printed.passing(messages), state_file)
        printed.end(outcome)
    else:  # cron mails what is printed: not the text of what was sent
        outcome = _send(scope, messages, state_file)
    write_undelivered(outcome, language, sys.stderr)
    if outcome.failed or outcome.undeliverable or scope.refused:
        raise typer.Exit(EXIT_PROBLEMS)


def _language(scope: Scope) -> Lang:
    """--lang, else [remind] lang, else what every command speaks (the locale's, the campaign's)."""
    configured = scope.campaign.remind.lang
    return scope.chosen_lang or (Lang(configured) if configured else scope.lang)


def _plan(
    params: Mapping[str, Any], scope: Scope, lang: Lang, *, tasks: bool, held: ExitStack
) -> tuple[Scope, Iterator[dict[str, Any]]]:
    """Tonight's messages, as the ledger and the JSON output keep them, one at a time.

    Only the overdue and due-soon tasks can be in them: from the index, only those are
    read, their entries made a few owners at a time while ``held`` keeps the index open
    (indexed_remind.py). The scope comes back as used (the units', if the index's rows
    were damaged).
    """
    from checklist.cli.scope import open_scope
    from checklist.remind.plan import planned, silent_dues
    from checklist.remind.send import message_to_dict

    soon = max(scope.campaign.remind.advance_days, default=0)
    if scope.campaign.calendar.count == "workdays":  # advance days are working days
        from checklist.workdays import calendar_of

        soon = (
            calendar_of(scope.campaign.calendar).add_workdays(scope.as_of, soon) - scope.as_of
        ).days
    made = None
    if scope.index is not None:
        from checklist import indexed_remind
        from checklist.indexed_status import DamagedError

        index = held.enter_context(scope.index)
        try:
            made = indexed_remind.planned(
                index,
                campaign=scope.campaign,
                as_of=scope.as_of,
                lang=lang,
                filters=scope.filters,
                soon=soon,
                leave_out=silent_dues(scope.campaign, scope.as_of, soon),  # in no message
            )
        except DamagedError:  # its rows dropped: the units' path, checked afresh
            held.close()
            scope = open_scope(params)
    if made is None:
        made = planned(
            scope.items(soon=soon), campaign=scope.campaign, as_of=scope.as_of, lang=lang
        )
    return scope, (message_to_dict(m, scope.campaign, tasks=tasks) for m in made)


def _unreachable(messages: Iterable[dict[str, Any]], channels: list[Channel]) -> Outcome:
    """What a dry run knows of --send's outcome: the messages no channel could take.

    Nothing is sent or failed; the channel the real run would skip (an address it
    needs and the recipient lacks) is the one ``deliver`` skips.
    """
    from checklist.remind.send import Outcome, brief, reachable

    for channel in channels:
        channel.close()
    undeliverable = tuple(
        (brief(message), channel.name)
        for message in messages
        for channel in channels
        if not reachable(message, channel)
    )
    return Outcome(sent=(), failed=(), undeliverable=undeliverable, skipped=0)


def _send(scope: Scope, messages: Iterable[dict[str, Any]], state_file: Path | None) -> Outcome:
    """Deliver the messages not yet delivered, holding the state file's lock."""
    from checklist.remind.channels import open_channels
    from checklist.remind.ledger import Ledger, locked
    from checklist.remind.send import deliver

    channels = open_channels(scope.campaign, dict(os.environ))
    path = state_file or scope.campaign.root / ".checklist" / "remind-state.json"
    with locked(path):
        state = Ledger.load(path)
        state.forget(as_of=scope.as_of)
        return deliver(messages, channels, state)
