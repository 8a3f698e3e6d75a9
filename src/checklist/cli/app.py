"""The command line: the app, its error boundary, and the commands of cli/check, report, ….

Each command parses its options, calls the core, renders and exits; this module turns
every failure into a message and an exit code.
"""

from __future__ import annotations

import enum
import inspect
import os
import sys
import typing
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperArgument, TyperCommand

from checklist import __version__
from checklist.cli import check, edit, ingest, remind, report, setup
from checklist.errors import EXIT_INTERNAL, EXIT_PIPE, EXIT_USAGE, ChecklistError, ConfigError

app = typer.Typer(
    name="checklist",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class _Command(TyperCommand):
    """A command whose help names each argument by its metavar alone: UNIT, not UNIT <str>.

    An option or argument with a closed set of values (an Enum) answers a value
    outside it with the values it takes and the one most likely meant, exit 2.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        callback = inspect.unwrap(self.callback) if self.callback else None
        hints = typing.get_type_hints(callback, include_extras=True) if callback else {}
        for param in self.params:
            if isinstance(param, TyperArgument) and param.metavar:
                # Newer typer adds the Python type (<list[Path]>) after an argument's name.
                param.display_type_rich = _no_type  # type: ignore[method-assign]
            choices = _enum_in(hints.get(param.name or ""))
            if choices is not None:
                param.process_value = _choosing(  # type: ignore[method-assign,assignment]
                    _param_name(param), choices, param.process_value
                )


def _no_type(ctx: object) -> None:
    return None


def _enum_in(hint: Any) -> type[enum.Enum] | None:
    """The Enum a parameter's annotation takes (through Annotated, | None and list), if any."""
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint
    for arg in typing.get_args(hint):
        found = _enum_in(arg)
        if found is not None:
            return found
    return None


def _param_name(param: Any) -> str:
    long = [opt for opt in param.opts if opt.startswith("--")]
    return long[0] if long else str(param.metavar or param.name).upper()


def _choosing(
    name: str, choices: type[enum.Enum], process: Callable[[Any, Any], Any]
) -> Callable[[Any, Any], Any]:
    """process_value, first refusing a value not among the choices, as --county does."""
    from checklist.errors import UsageError
    from checklist.words import did_you_mean

    allowed = [str(choice.value) for choice in choices]

    def process_value(ctx: Any, value: Any) -> Any:
        for given in value if isinstance(value, list | tuple) else [value]:
            if isinstance(given, str) and given not in allowed:
                guess = did_you_mean(given, allowed)
                hint = f'; did you mean "{guess}"?' if guess else ""
                known = ", ".join(allowed)
                raise UsageError(f"{name}: no such value {given!r}{hint} (known: {known})")
        return process(ctx, value)

    return process_value


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
app.command("import", cls=_Command)(ingest.import_ledger)  # a Python keyword: named here


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


def _report_error(error: ChecklistError, argv: Sequence[str]) -> None:
    from checklist.words import printable

    message = str(error)
    if isinstance(error, ConfigError) and error.problems:
        from checklist.i18n import choose_lang, t
        from checklist.render import problems as render

        lang = choose_lang(_lang_flag(argv), error.lang)
        problems = [p.speaking(lang) for p in error.problems]
        # campaign.toml's lines are quoted only when it is no link out of its folder.
        folder = Path(problems[0].file).absolute().parent
        render.write_text(
            problems,
            sys.stderr,
            sources=render.quoted_sources(problems, within=folder),
            checked=None,
            lang=lang,
        )
        message = t("config.broken", lang, file=problems[0].file)
    first, *rest = message.split("\n")
    print(f"checklist: error: {printable(first)}", file=sys.stderr)
    for line in rest:  # a list of candidates, one per line
        print(printable(line), file=sys.stderr)


def _lang_flag(argv: Sequence[str]) -> str | None:
    """--lang as given, for an error raised before the command could read its options."""
    for i, arg in enumerate(argv):
        value = arg.partition("=")[2] if arg.startswith("--lang=") else None
        if arg == "--lang" and i + 1 < len(argv):
            value = argv[i + 1]
        if value in ("zh", "en"):
            return value
    return None


def run(argv: Sequence[str] | None = None) -> int:
    """Run the app and turn every failure into a message and an exit code, never a traceback.

    Any character prints under any locale, and a closed pipe ends the command quietly.
    """
    from checklist.render import discard_output, tolerate_any_text

    tolerate_any_text()
    stdout, stderr = sys.stdout, sys.stderr
    try:
        code = _run(argv)
    except BrokenPipeError:  # while reporting an error on a closed stderr
        code = EXIT_PIPE
    if sys.stdout is not stdout or sys.stderr is not stderr:
        # click met the closed pipe first: it wrapped both streams and exited 1.
        sys.stdout, sys.stderr = stdout, stderr
        code = EXIT_PIPE
    if code == EXIT_PIPE:
        discard_output()
    return code


def _run(argv: Sequence[str] | None) -> int:
    try:
        try:
            app(args=list(argv) if argv is not None else None, prog_name="checklist")
        finally:
            sys.stdout.flush()  # a full disk shows here, while there is still an exit code to set
    except SystemExit as done:  # typer exits on success and on usage errors
        return done.code if isinstance(done.code, int) else int(done.code is not None)
    except ChecklistError as error:
        _report_error(error, sys.argv[1:] if argv is None else argv)
        return error.exit_code
    except KeyboardInterrupt:
        print("checklist: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_PIPE
    except OSError as error:  # the output cannot be written: a full disk, a read-only folder
        from checklist.render import discard_output
        from checklist.words import printable

        discard_output()
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
