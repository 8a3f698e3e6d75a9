"""validate and schema: check unit files, and give editors the schema to check them as typed."""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from checklist.cli.options import (
    AsOfOpt,
    ConfigOpt,
    FollowOpt,
    LangOpt,
    NoCacheOpt,
    PathsArg,
    ValidateFormat,
    cli_paths,
)
from checklist.errors import EXIT_PROBLEMS, ConfigError
from checklist.i18n import Lang

if TYPE_CHECKING:
    from checklist.load.validate import Checked
    from checklist.model import Campaign, Problem

FormatOpt = Annotated[
    ValidateFormat | None,
    typer.Option(
        "--format",
        "-f",
        help=(
            "text, json, github, gitlab (Code Quality), sarif or junit; "
            "default github when GITHUB_ACTIONS=true, else text."
        ),
        show_default=False,
    ),
]
StrictOpt = Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")]
HookOpt = Annotated[
    bool,
    typer.Option(
        "--hook",
        help="PATHS are the files a commit changes (as pre-commit passes them): check their "
        "whole campaigns; report and fail on their problems and those they cause.",
    ),
]
OutputFileOpt = Annotated[
    Path | None,
    typer.Option(
        "--output-file",
        "-o",
        help="Write the report here instead of stdout.",
        dir_okay=False,
        metavar="FILE",
    ),
]


def validate(
    paths: PathsArg = None,
    config: ConfigOpt = None,
    output_format: FormatOpt = None,
    strict: StrictOpt = False,
    output_file: OutputFileOpt = None,
    as_of: AsOfOpt = None,
    follow_outside: FollowOpt = False,
    no_cache: NoCacheOpt = False,
    hook: HookOpt = False,
    lang: LangOpt = None,
) -> None:
    """Check unit files: every problem, with file, line and column.

    Example: checklist validate units/410103 --format json
    """
    from checklist.i18n import choose_lang
    from checklist.model import Severity

    where = cli_paths(paths)
    if output_format is None:
        github = os.environ.get("GITHUB_ACTIONS") == "true"
        output_format = ValidateFormat.GITHUB if github else ValidateFormat.TEXT
    if hook:
        from checklist.cli.hook import run_hook

        code = run_hook(
            where,
            config=config,
            output_format=output_format,
            as_of=as_of,
            output_file=output_file,
            strict=strict,
            no_cache=no_cache,
            lang=lang,
        )
        raise typer.Exit(code)
    campaign = _campaign(where, config, output_format, output_file, lang)
    report = _check(where, campaign, as_of, follow_outside=follow_outside, no_cache=no_cache)
    within = None if follow_outside else campaign.root
    problems = (*campaign.warnings, *report.problems)  # campaign.toml's warnings first
    _write(
        problems,
        output_format,
        output_file,
        checked=len(report.files),
        within=within,
        files=report.files,
        strict=strict,
        lang=choose_lang(lang, campaign.lang),
    )
    failing = report.count(Severity.ERROR) + (
        report.count(Severity.WARNING) + len(campaign.warnings) if strict else 0
    )
    if failing:
        raise typer.Exit(EXIT_PROBLEMS)


def _campaign(
    paths: list[Path],
    config: Path | None,
    output_format: str,
    output_file: Path | None,
    lang: str | None,
) -> Campaign:
    """The campaign; machines reading JSON or annotations get its problems there too."""
    from checklist.i18n import choose_lang
    from checklist.load.campaign import find_config, load_campaign

    try:
        return load_campaign(config or find_config(paths))
    except ConfigError as error:
        if error.problems and output_format != ValidateFormat.TEXT:
            spoken = choose_lang(lang, error.lang)
            _write(error.problems, output_format, output_file, checked=1, lang=spoken)
            raise ConfigError(str(error), lang=error.lang, zh=error.zh) from None
        raise


def _check(
    paths: list[Path],
    campaign: Campaign,
    as_of: str | None,
    *,
    follow_outside: bool,
    no_cache: bool,
) -> Checked:
    """Every unit file under ``paths`` checked, and those that could not be read at all."""
    from checklist import dates
    from checklist.cli.scope import open_cache, unit_files
    from checklist.load.validate import Checked, check_files

    today = dates.as_of(as_of, timezone=campaign.timezone)
    found = unit_files(paths, campaign, follow_outside)
    checked = check_files(
        found.names,
        campaign=campaign,
        today=today,
        cache=open_cache(campaign, no_cache),
        follow_outside=follow_outside,
    )
    refused = tuple(p for result in found.refused for p in result.problems)
    files = tuple(result.file for result in found.refused)
    return Checked((*refused, *checked.problems), (*files, *checked.files))


def _write(
    problems: Sequence[Problem],
    output_format: str,
    output_file: Path | None,
    *,
    checked: int,
    within: Path | None = None,
    files: Sequence[str] = (),
    strict: bool = False,
    lang: Lang = Lang.EN,
) -> None:
    from checklist.errors import UsageError, write_reason_zh
    from checklist.render import problems as render

    # A report file is written whole or not at all: a reader never sees half of one.
    out = io.StringIO() if output_file else None
    render.write(
        problems,
        output_format,
        out,
        checked=checked,
        within=within,
        files=files,
        strict=strict,
        lang=lang,
    )
    if output_file and out is not None:
        try:
            _write_report(output_file, out.getvalue().encode())
        except OSError as error:
            raise UsageError(
                f"cannot write the report to {output_file}: {error.strerror or error}",
                zh=f"报告写不进 {output_file}:{write_reason_zh(error)}",
            ) from None


def _write_report(path: Path, data: bytes) -> None:
    """Replace a regular file atomically (through a link, the link's target); write into
    anything else as it is (/dev/stdout, a pipe), which a rename would replace."""
    import errno
    import stat

    from checklist.atomic import write_atomic

    try:
        regular = stat.S_ISREG(path.stat().st_mode)
    except FileNotFoundError:
        regular = True
    if not regular:
        with path.open("wb") as handle:
            handle.write(data)
        return
    folder = Path(os.path.realpath(path)).parent
    if not folder.is_dir():  # a mistyped folder is a mistake, not one to create
        raise FileNotFoundError(errno.ENOENT, "no such folder", str(folder))
    write_atomic(path, data)  # through a link, the link's target


SchemaCheckOpt = Annotated[
    Path | None,
    typer.Option(
        "--check",
        help="Exit 1 if FILE is not the schema this command prints (stale or missing).",
        dir_okay=False,
        metavar="FILE",
        show_default=False,
    ),
]


def schema(config: ConfigOpt = None, check: SchemaCheckOpt = None) -> None:
    """Print a JSON Schema for unit files, for editors.

    Editors with Even Better TOML (taplo) or tombi then check and complete keys as you
    type; checklist init writes it to units/unit.schema.json. With --check FILE, say
    whether FILE is still that schema: measures or counties changed in campaign.toml
    make it stale.

    Example: checklist schema > units/unit.schema.json
    """
    from checklist.load.campaign import find_config, load_campaign
    from checklist.load.schema import json_schema_text, schema_stale

    campaign = None
    try:
        found = config or find_config([check or Path()])
    except ConfigError:  # no campaign here: the default measures, any county
        found = None
    if found:  # a broken campaign.toml is an error, never a schema of the wrong measures
        campaign = load_campaign(found)
    if check is None:
        typer.echo(json_schema_text(campaign), nl=False)
        return
    try:
        stale = schema_stale(check.read_bytes(), campaign)
    except FileNotFoundError:
        stale = "there is no such file"
    except OSError as error:
        stale = f"it cannot be read: {error.strerror or error}"
    if stale:
        named = f" --config {found}" if found and found.resolve() != _config_here() else ""
        command = f"checklist schema{named} > {check}"
        print(f"{check} is not the schema for unit files: {stale}; write it with: {command}")
        raise typer.Exit(EXIT_PROBLEMS)
    print(f"{check} is up to date")


def _config_here() -> Path | None:
    """The campaign.toml that `checklist schema` run here would read."""
    from checklist.load.campaign import find_config

    try:
        return find_config([Path()]).resolve()
    except ConfigError:
        return None
