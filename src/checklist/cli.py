"""The command line: each command parses options, calls the core, renders, exits."""

from __future__ import annotations

import contextlib
import enum
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from checklist import __version__
from checklist.errors import EXIT_INTERNAL, EXIT_PROBLEMS, ChecklistError, ConfigError

if TYPE_CHECKING:
    from checklist.model import Problem

app = typer.Typer(
    name="checklist",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class ValidateFormat(enum.StrEnum):
    TEXT = "text"
    JSON = "json"
    GITHUB = "github"


# Optional[...] rather than "X | None": typer reads these annotations at run time.
PathsArg = Annotated[
    Optional[list[Path]],  # noqa: UP045
    typer.Argument(help="Unit files or folders to check.", show_default="."),
]
ConfigOpt = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option(
        "--config",
        help="campaign.toml to use, instead of the nearest one above PATHS.",
        dir_okay=False,
    ),
]
AsOfOpt = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--as-of",
        help="The day to judge by (2023-11-20, yesterday, -1w); "
        "default: $CHECKLIST_AS_OF, else today in the campaign's time zone.",
    ),
]


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


@app.command()
def validate(
    paths: PathsArg = None,
    config: ConfigOpt = None,
    output_format: Annotated[
        Optional[ValidateFormat],  # noqa: UP045
        typer.Option(
            "--format",
            "-f",
            help="text, json or github; default github when GITHUB_ACTIONS=true, else text.",
            show_default=False,
        ),
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
    output_file: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--output-file", "-o", help="Write the report here instead of stdout.", dir_okay=False
        ),
    ] = None,
    as_of: AsOfOpt = None,
) -> None:
    """Check unit files: every problem, with file, line and column.

    Example: checklist validate units/410103 --format json
    """
    from checklist import dates
    from checklist.config import find_config, load_campaign
    from checklist.model import Severity
    from checklist.validate import discover, validate

    paths = paths or [Path()]
    if output_format is None:
        github = os.environ.get("GITHUB_ACTIONS") == "true"
        output_format = ValidateFormat.GITHUB if github else ValidateFormat.TEXT
    try:
        campaign = load_campaign(config or find_config(paths))
    except ConfigError as error:
        if error.problems and output_format is not ValidateFormat.TEXT:
            # Machines reading JSON or annotations get the config's problems there too.
            _write_problems(error.problems, output_format, output_file, checked=1)
            raise ConfigError(str(error)) from None
        raise
    today = dates.as_of(as_of, timezone=campaign.timezone)
    files = discover(paths, campaign)
    if not files:
        raise ChecklistError(f"no unit files (*.toml) found in {', '.join(map(str, paths))}")
    report = validate(files, campaign=campaign, today=today)
    _write_problems(report.problems, output_format, output_file, checked=len(files))
    failing = report.count(Severity.ERROR) + (report.count(Severity.WARNING) if strict else 0)
    if failing:
        raise typer.Exit(EXIT_PROBLEMS)


def _write_problems(
    problems: Sequence[Problem],
    output_format: ValidateFormat,
    output_file: Path | None,
    *,
    checked: int,
) -> None:
    from checklist.render import problems as render

    out = output_file.open("w", encoding="utf-8") if output_file else sys.stdout
    try:
        if output_format is ValidateFormat.JSON:
            render.write_json(problems, out, checked=checked)
        elif output_format is ValidateFormat.GITHUB:
            render.write_github(problems, out)
            print(render.summary(problems, checked=checked), file=sys.stderr)
        else:
            render.write_text(
                problems, out if output_file else None, sources=_sources(problems), checked=checked
            )
    finally:
        if output_file:
            out.close()


def _sources(problems: Sequence[Problem]) -> dict[str, str]:
    """The text of the files that have problems, to quote their lines."""
    from checklist.source import SourceError, decode, read

    sources = {}
    for file in {p.file for p in problems}:
        with contextlib.suppress(SourceError):
            sources[file] = decode(read(Path(file)))
    return sources


@app.command()
def schema(config: ConfigOpt = None) -> None:
    """Print a JSON Schema for unit files, for editors to check as you type.

    Example: checklist schema > unit.schema.json
    """
    import json

    from checklist.config import find_config, load_campaign
    from checklist.schema import json_schema

    campaign = None
    try:
        campaign = load_campaign(config or find_config([Path()]))
    except ConfigError:
        if config:
            raise
    typer.echo(json.dumps(json_schema(campaign), ensure_ascii=False, indent=2))


def _report_error(error: ChecklistError) -> None:
    from checklist.render import printable

    if isinstance(error, ConfigError) and error.problems:
        from checklist.render import problems as render

        render.write_text(
            error.problems, sys.stderr, sources=_sources(error.problems), checked=None
        )
    print(f"checklist: error: {printable(str(error))}", file=sys.stderr)


def run(argv: Sequence[str] | None = None) -> int:
    """Run the app and turn every failure into a message and an exit code, never a traceback."""
    try:
        app(args=list(argv) if argv is not None else None, prog_name="checklist")
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
