"""The command line: the app, its error boundary, and the commands of cli/check, report, ….

Each command parses its options, calls the core, renders and exits; this module turns
every failure into a message and an exit code.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperArgument, TyperCommand

from checklist import __version__
from checklist.cli import check, edit, remind, report, setup
from checklist.errors import EXIT_INTERNAL, EXIT_PROBLEMS, EXIT_USAGE, ChecklistError, ConfigError

app = typer.Typer(
    name="checklist",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class _Command(TyperCommand):
    """A command whose help names each argument by its metavar alone: UNIT, not UNIT <str>."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            if isinstance(param, TyperArgument) and param.metavar:
                # Newer typer adds the Python type (<list[Path]>) after an argument's name.
                param.display_type_rich = _no_type  # type: ignore[method-assign]


def _no_type(ctx: object) -> None:
    return None


# In this order in --help: check, report, remind, set up, edit.
for command in (
    check.validate,
    check.schema,
    report.status,
    report.rollup,
    remind.remind,
    setup.init,
    setup.new,
    edit.done,
    edit.reopen,
    edit.postpone,
):
    app.command(cls=_Command)(command)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"checklist {__version__}")
        raise typer.Exit


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", "-V", help="Show the version and exit.", callback=_version, is_eager=True
        ),
    ] = False,
) -> None:
    """Validate, track and roll up campaign checklists kept as TOML files.

    Example: checklist validate examples/zhengzhou
    """


def _report_error(error: ChecklistError) -> None:
    from checklist.words import printable

    if isinstance(error, ConfigError) and error.problems:
        from checklist.render import problems as render

        # campaign.toml's lines are quoted only when it is no link out of its folder.
        folder = Path(error.problems[0].file).absolute().parent
        render.write_text(
            error.problems,
            sys.stderr,
            sources=render.quoted_sources(error.problems, within=folder),
            checked=None,
        )
    first, *rest = str(error).split("\n")
    print(f"checklist: error: {printable(first)}", file=sys.stderr)
    for line in rest:  # a list of candidates, one per line
        print(printable(line), file=sys.stderr)


def run(argv: Sequence[str] | None = None) -> int:
    """Run the app and turn every failure into a message and an exit code, never a traceback."""
    try:
        try:
            app(args=list(argv) if argv is not None else None, prog_name="checklist")
        finally:
            sys.stdout.flush()  # a full disk shows here, while there is still an exit code to set
    except SystemExit as done:  # typer exits on success and on usage errors
        return done.code if isinstance(done.code, int) else int(done.code is not None)
    except ChecklistError as error:
        _report_error(error)
        return error.exit_code
    except KeyboardInterrupt:
        print("checklist: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader (head, less) went away: not an error worth a message.
        sys.stderr.close()
        return EXIT_PROBLEMS
    except OSError as error:  # the output cannot be written: a full disk, a read-only folder
        from checklist.words import printable

        _discard_stdout()
        where = f": {error.filename}" if error.filename else ""
        print(
            f"checklist: error: {printable(error.strerror or str(error))}{where}", file=sys.stderr
        )
        return EXIT_USAGE
    except Exception as error:  # the last line of defence: no traceback for users
        if os.environ.get("CHECKLIST_DEBUG"):
            raise
        print(
            f"checklist: internal error: {type(error).__name__}: {error}\n"
            "Please report this; run with CHECKLIST_DEBUG=1 to see the traceback.",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
    return 0


def _discard_stdout() -> None:
    """Point stdout at /dev/null, so Python's last flush of what could not be written is quiet."""
    with contextlib.suppress(OSError, ValueError, io.UnsupportedOperation):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
