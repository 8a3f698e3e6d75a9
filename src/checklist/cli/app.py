"""The command line: the app, its error boundary, and the commands of cli/check, report, ….

Each command parses its options, calls the core, renders and exits; this module turns
every failure into a message and an exit code.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from checklist import __version__
from checklist.cli.usage import Command, Group
from checklist.errors import EXIT_INTERNAL, EXIT_PIPE, EXIT_USAGE, ChecklistError, ConfigError
from checklist.i18n import Lang

# The commands, in this order in --help (check, report, remind, set up, edit): the module
# of checklist.cli each lives in, its function, and its name where that is not the
# function's. A run imports only the module of the command it runs.
COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("check", "validate", "validate"),
    ("check", "schema", "schema"),
    ("report", "status", "status"),
    ("report", "rollup", "rollup"),
    ("trend", "trend", "trend"),
    ("calendar", "calendar", "calendar"),
    ("history", "changes", "changes"),
    ("export", "export", "export"),
    ("chart", "chart", "chart"),
    ("bulletin", "bulletin", "bulletin"),
    ("remind", "remind", "remind"),
    ("setup", "init", "init"),
    ("setup", "new", "new"),
    ("edit", "done", "done"),
    ("edit", "reopen", "reopen"),
    ("edit", "postpone", "postpone"),
    ("ingest", "import_ledger", "import"),  # a Python keyword: named here
)


def _app(commands: Sequence[tuple[str, str, str]]) -> typer.Typer:
    """The app with these commands (their modules imported now)."""
    import importlib

    made = typer.Typer(
        name="checklist",
        cls=Group,
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    made.callback()(_main)
    for module, function, name in commands:
        callback = getattr(importlib.import_module(f"checklist.cli.{module}"), function)
        made.command(name, cls=Command)(callback)
    return made


def _version(value: bool) -> None:
    if value:
        typer.echo(f"checklist {__version__}")
        raise typer.Exit


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
    from checklist.i18n import t
    from checklist.words import printable

    lang = error_lang(argv, error.lang if isinstance(error, ConfigError) else None)
    message = error.speaking(lang)
    if isinstance(error, ConfigError) and error.problems:
        from checklist.render import problems as render

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
    print(f"checklist: {_prefix('error', lang)}{printable(first)}", file=sys.stderr)
    for line in rest:  # a list of candidates, one per line
        print(printable(line), file=sys.stderr)


def _unwritten(error: OSError) -> ChecklistError:
    """The error an OSError writing the output is reported as, in English and Chinese."""
    from checklist.errors import write_reason_zh

    reason = error.strerror or str(error)
    where = f": {error.filename}" if error.filename else ""
    zh_where = f":{error.filename}" if error.filename else ""
    return ChecklistError(f"{reason}{where}", zh=f"结果写不出去,{write_reason_zh(error)}{zh_where}")


def _prefix(severity: str, lang: str) -> str:
    """The word after "checklist: " on a diagnostic line: "error: ", or "错误:" in Chinese."""
    from checklist.i18n import Lang, t

    word = t(f"severity.{severity}", Lang(lang))
    return f"{word}:" if lang == "zh" else f"{word}: "


def error_lang(argv: Sequence[str], configured: str | None = None) -> Lang:
    """The language of an error: --lang, else the locale's, else the campaign's (the
    broken campaign.toml's ``configured``, or the one the command would read)."""
    from checklist.i18n import choose_lang, locale_lang

    flag = _lang_flag(argv)
    if flag or locale_lang():
        return choose_lang(flag)
    return choose_lang(None, configured or _campaign_lang(argv))


def _lang_flag(argv: Sequence[str]) -> str | None:
    """--lang as given, for an error raised before the command could read its options."""
    for i, arg in enumerate(argv):
        value = arg.partition("=")[2] if arg.startswith("--lang=") else None
        if arg == "--lang" and i + 1 < len(argv):
            value = argv[i + 1]
        if value in ("zh", "en"):
            return value
    return None


def _campaign_lang(argv: Sequence[str]) -> str | None:
    """[campaign] lang of the campaign.toml the command would read, if found cheaply.

    --config FILE, else the nearest campaign.toml above the first PATH argument (or the
    working folder); any failure (none found, unreadable, broken) is no language.
    """
    import tomllib

    from checklist.load.campaign import declared_lang, find_config
    from checklist.load.source import decode, read

    try:
        config, first = _config_and_first_path(argv)
        found = config or find_config([first or Path()])
        return declared_lang(tomllib.loads(decode(read(found))))
    except Exception:  # none found, unreadable, broken: the error being reported matters
        return None


def _config_and_first_path(argv: Sequence[str]) -> tuple[Path | None, Path | None]:
    """--config's value, and the command's first argument (a unit id is one too: it
    names no folder, so the search starts where it would, in the working folder)."""
    from typer.core import TyperOption

    group = typer.main.get_command(whole())
    command: Any = None
    takes_value: set[str] = set()
    config: Path | None = None
    first: Path | None = None
    words = iter(argv)
    for word in words:
        name, equals, value = word.partition("=")
        if word.startswith("-") and word != "-":
            if name == "--config":
                config = Path(value) if equals else Path(next(words, ""))
            elif name in takes_value and not equals:
                next(words, None)
        elif command is None and isinstance(group, TyperGroup):
            command = group.commands.get(word)
            if command is None:
                break
            takes_value = {
                opt
                for param in command.params
                if isinstance(param, TyperOption) and not param.is_flag
                for opt in param.opts
            }
        elif first is None:
            first = Path(word)
    return config, first


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


def _only_the_command(args: Sequence[str]) -> typer.Typer:
    """The app with only the command named first, when one is: typer makes every
    command's options (seventeen commands, 30 ms) before it runs one, and their modules
    take 15 ms to import. The app's own --help and --version, and a name mistyped, see
    every command."""
    name = args[0] if args else ""
    chosen = [c for c in COMMANDS if c[2] == name]
    return _app(chosen) if chosen else whole()


@functools.cache
def whole() -> typer.Typer:
    """The app with every command, as --help lists them."""
    return _app(COMMANDS)


def __getattr__(name: str) -> Any:
    if name == "app":  # `from checklist.cli.app import app`: the whole app
        return whole()
    raise AttributeError(name)


def _run(argv: Sequence[str] | None) -> int:
    try:
        try:
            args = list(sys.argv[1:] if argv is None else argv)
            _only_the_command(args)(args=args, prog_name="checklist")
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

        discard_output()
        _report_error(_unwritten(error), sys.argv[1:] if argv is None else argv)
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
