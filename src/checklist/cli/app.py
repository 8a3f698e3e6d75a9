"""The command line: each command parses options, calls the core, renders, exits."""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import io
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional, TextIO

import typer

from checklist import __version__
from checklist.errors import EXIT_INTERNAL, EXIT_PROBLEMS, EXIT_USAGE, ChecklistError, ConfigError
from checklist.i18n import Lang

if TYPE_CHECKING:
    from collections.abc import Callable

    from checklist.edit import Edit
    from checklist.filters import Filters
    from checklist.load.cache import Cache
    from checklist.load.discover import Found
    from checklist.model import Campaign, Item, Problem, Unit
    from checklist.remind.deliver import Outcome

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


class ReportFormat(enum.StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    MARKDOWN = "markdown"


class RemindFormat(enum.StrEnum):
    TEXT = "text"
    JSON = "json"


class Preset(enum.StrEnum):
    ZHENGZHOU = "zhengzhou"


class LevelChoice(enum.StrEnum):
    COUNTY = "county"
    GRASSROOTS = "grassroots"


class LangChoice(enum.StrEnum):
    ZH = "zh"
    EN = "en"


class ByChoice(enum.StrEnum):
    COUNTY = "county"
    LEVEL = "level"
    MEASURE = "measure"
    OWNER = "owner"
    UNIT = "unit"


class SortChoice(enum.StrEnum):
    OVERDUE = "overdue"
    COMPLETION = "completion"
    CODE = "code"


# Optional[...] rather than "X | None": typer reads these annotations at run time.
PathsArg = Annotated[
    Optional[list[Path]],  # noqa: UP045
    # readable=False: an unreadable file or folder is a located problem (E001), not a usage error.
    typer.Argument(help="Unit files or folders to check.", show_default=".", readable=False),
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


ReportFormatOpt = Annotated[
    ReportFormat, typer.Option("--format", "-f", help="table, json, csv or markdown.")
]
LangOpt = Annotated[
    Optional[LangChoice],  # noqa: UP045
    typer.Option(
        "--lang", help="zh or en; default: from LC_ALL, LC_MESSAGES or LANG.", show_default=False
    ),
]
FailOpt = Annotated[
    bool, typer.Option("--fail-on-overdue", help="Exit 1 when a selected task is overdue.")
]


def _many(name: str, what: str) -> Any:
    return typer.Option(name, help=f"Only {what}; repeat for more than one.", show_default=False)


# Optional[...] rather than "X | None": typer reads these annotations at run time.
CountyOpt = Annotated[Optional[list[str]], _many("--county", "this county (code or name)")]  # noqa: UP045
UnitOpt = Annotated[Optional[list[str]], _many("--unit", "this unit (id)")]  # noqa: UP045
OwnerOpt = Annotated[Optional[list[str]], _many("--owner", "this owner (name or address)")]  # noqa: UP045
MeasureOpt = Annotated[Optional[list[str]], _many("--measure", "this measure (key or name)")]  # noqa: UP045
LevelOpt = Annotated[Optional[list[str]], _many("--level", "this level (county, grassroots)")]  # noqa: UP045


DryRunOpt = Annotated[
    bool, typer.Option("--dry-run", help="Show the change as a diff; write nothing.")
]
MeasureArg = Annotated[str, typer.Argument(help="The measure: key (study) or name (理论学习).")]
TaskArg = Annotated[
    Optional[str],  # noqa: UP045
    typer.Argument(
        help="The task: its number (1, 2, …), its id, or a unique part of its "
        "title; leave out for a measure without tasks.",
        show_default=False,
    ),
]
UnitArg = Annotated[str, typer.Argument(help="The unit: its id, or its file.")]


FollowOpt = Annotated[
    bool,
    typer.Option(
        "--follow-outside",
        help="Also read unit files and folders whose real path (through links) is outside "
        "the campaign folder; refused by default.",
    ),
]

# --soon: a hundred years is more than any campaign, and keeps the horizon in the calendar.
SOON_MAX = 36_500

NoCacheOpt = Annotated[
    bool,
    typer.Option(
        "--no-cache",
        help="Check every file afresh; do not read or write the cache of earlier results.",
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
    follow_outside: FollowOpt = False,
    no_cache: NoCacheOpt = False,
) -> None:
    """Check unit files: every problem, with file, line and column.

    Example: checklist validate units/410103 --format json
    """
    from checklist import dates
    from checklist.load.campaign import find_config, load_campaign
    from checklist.load.validate import Report, validate
    from checklist.model import Severity

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
    found = _unit_files(paths, campaign, follow_outside)
    cache = _cache(campaign, no_cache)
    checked = validate(
        found.files,
        campaign=campaign,
        today=today,
        cache=cache,
        units=False,
        follow_outside=follow_outside,
    )
    report = Report((*found.refused, *checked.results))
    within = None if follow_outside else campaign.root
    _write_problems(
        report.problems, output_format, output_file, checked=len(report.results), within=within
    )
    failing = report.count(Severity.ERROR) + (report.count(Severity.WARNING) if strict else 0)
    if failing:
        raise typer.Exit(EXIT_PROBLEMS)


def _write_problems(
    problems: Sequence[Problem],
    output_format: ValidateFormat,
    output_file: Path | None,
    *,
    checked: int,
    within: Path | None = None,
) -> None:
    from checklist.errors import UsageError
    from checklist.render import problems as render

    # A report file is written whole or not at all: a reader never sees half of one.
    out: TextIO = io.StringIO() if output_file else sys.stdout
    if output_format is ValidateFormat.JSON:
        render.write_json(problems, out, checked=checked)
    elif output_format is ValidateFormat.GITHUB:
        render.write_github(problems, out)
        print(render.summary(problems, checked=checked), file=sys.stderr)
    else:
        render.write_text(
            problems,
            out if output_file else None,
            sources=_sources(problems, within=within),
            checked=checked,
        )
    if output_file and isinstance(out, io.StringIO):
        try:
            _write_report(output_file, out.getvalue().encode())
        except OSError as error:
            raise UsageError(
                f"cannot write the report to {output_file}: {error.strerror or error}"
            ) from None


def _write_report(path: Path, data: bytes) -> None:
    """Replace a regular file atomically (through a link, the link's target); write into
    anything else as it is (/dev/stdout, a pipe), which a rename would replace."""
    import errno
    import stat

    from checklist.atomic import write_atomic

    real = Path(os.path.realpath(path))
    try:
        regular = stat.S_ISREG(real.stat().st_mode)
    except FileNotFoundError:
        regular = True
    if regular:
        if not real.parent.is_dir():  # a mistyped folder is a mistake, not one to create
            raise FileNotFoundError(errno.ENOENT, "no such folder", str(real.parent))
        write_atomic(real, data)
        return
    with real.open("wb") as handle:
        handle.write(data)


def _sources(problems: Sequence[Problem], *, within: Path | None) -> dict[str, str]:
    """The text of the files that have problems, to quote their lines.

    Read again, and perhaps changed or gone since: never quote a file that is now binary,
    or (given ``within``, the campaign folder) one whose real path is now outside it.
    """
    from checklist.load.source import SourceError, decode, read

    sources = {}
    for file in {p.file for p in problems if p.code not in ("E002", "E007")}:
        with contextlib.suppress(SourceError):
            sources[file] = decode(read(Path(file), within=within))
    return sources


@app.command()
def schema(config: ConfigOpt = None) -> None:
    """Print a JSON Schema for unit files, for editors.

    Editors with Even Better TOML or tombi then check and complete keys as you type.

    Example: checklist schema > unit.schema.json
    """
    import json

    from checklist.load.campaign import find_config, load_campaign
    from checklist.load.schema import json_schema

    campaign = None
    try:
        campaign = load_campaign(config or find_config([Path()]))
    except ConfigError:
        if config:
            raise
    typer.echo(json.dumps(json_schema(campaign), ensure_ascii=False, indent=2))


@dataclass(frozen=True, slots=True)
class _Loaded:
    campaign: Campaign
    as_of: dt.date
    units: tuple[Unit, ...]
    skipped: int
    refused: int  # folders and files that could not be read: the figures lack them


def _unit_files(paths: list[Path], campaign: Campaign, follow_outside: bool) -> Found:
    from checklist.load.discover import find

    found = find(paths, campaign, follow_outside=follow_outside)
    if not found.files and not found.refused:
        raise ChecklistError(f"no unit files (*.toml) found in {', '.join(map(str, paths))}")
    return found


def _cache(campaign: Campaign, no_cache: bool) -> Cache | None:
    """The cache, unless --no-cache or it is not safe to use (then a warning, and none)."""
    from checklist.load.cache import Cache, CacheRefusedError
    from checklist.render import printable

    if no_cache:
        return None
    try:
        return Cache.open(campaign)
    except CacheRefusedError as why:
        print(printable(f"checklist: warning: not using the cache: {why}"), file=sys.stderr)
        return None


def _load(
    paths: list[Path] | None,
    config: Path | None,
    as_of: str | None,
    lang: Lang,
    no_cache: bool,
    follow_outside: bool,
) -> _Loaded:
    """The campaign, the report day and its valid units; files with problems are counted out.

    What cannot be read at all (a folder, a file outside the campaign) is an error on
    stderr: the figures lack units nobody can count, so the command will exit 1.
    """
    from checklist import dates
    from checklist.i18n import t
    from checklist.load.campaign import find_config, load_campaign
    from checklist.load.validate import validate
    from checklist.render import printable

    paths = paths or [Path()]
    campaign = load_campaign(config or find_config(paths))
    day = dates.as_of(as_of, timezone=campaign.timezone)
    found = _unit_files(paths, campaign, follow_outside)
    # A done date is "in the future" against the clock, not against a report day in the past.
    today = max(dates.today(campaign.timezone), day)
    cache = _cache(campaign, no_cache)
    results = validate(
        found.files, campaign=campaign, today=today, cache=cache, follow_outside=follow_outside
    ).results
    units = tuple(r.unit for r in results if r.unit is not None)
    skipped = len(results) - len(units)
    if skipped:
        print(t("skipped", lang, count=skipped), file=sys.stderr)
    for refused in found.refused:
        for problem in refused.problems:
            message = t("refused", lang, file=problem.file, message=problem.message)
            print(f"checklist: {printable(message)}", file=sys.stderr)
    return _Loaded(campaign, day, units, skipped, len(found.refused))


@app.command()
def status(
    paths: PathsArg = None,
    config: ConfigOpt = None,
    as_of: AsOfOpt = None,
    soon: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option(
            "--soon",
            min=0,
            max=SOON_MAX,
            help="Also list tasks due within N days (default 7 in the summary).",
            metavar="N",
            show_default=False,
        ),
    ] = None,
    everything: Annotated[
        bool, typer.Option("--all", help="List every task with its state.")
    ] = False,
    county: CountyOpt = None,
    unit: UnitOpt = None,
    owner: OwnerOpt = None,
    measure: MeasureOpt = None,
    level: LevelOpt = None,
    state: Annotated[
        Optional[list[str]],  # noqa: UP045
        _many("--state", "tasks in this state (done, done_late, overdue, due_soon, open)"),
    ] = None,
    output_format: ReportFormatOpt = ReportFormat.TABLE,
    fail_on_overdue: FailOpt = False,
    lang: LangOpt = None,
    follow_outside: FollowOpt = False,
    no_cache: NoCacheOpt = False,
) -> None:
    """List overdue (and due-soon) tasks, most overdue first.

    A one-line summary follows the table.

    Example: checklist status --county 二七区 --soon 7
    """
    from checklist.filters import make_filters
    from checklist.i18n import default_lang, t
    from checklist.model import State
    from checklist.render import report
    from checklist.render.table import write_csv, write_markdown, write_terminal
    from checklist.status import DEFAULT_SOON_DAYS, items

    language = Lang(lang.value) if lang else default_lang()
    loaded = _load(paths, config, as_of, language, no_cache, follow_outside)
    campaign = loaded.campaign
    chosen = make_filters(
        campaign,
        loaded.units,
        county=county or (),
        unit=unit or (),
        owner=owner or (),
        measure=measure or (),
        level=level or (),
        state=state or (),
    )
    soon_days = DEFAULT_SOON_DAYS if soon is None else soon
    selected = chosen.select(
        items(loaded.units, campaign=campaign, as_of=loaded.as_of, soon=soon_days)
    )
    if state or everything:
        listed = selected
    else:
        wanted = {State.OVERDUE, State.DUE_SOON} if soon is not None else {State.OVERDUE}
        listed = [i for i in selected if i.state in wanted]
    listed.sort(key=_status_order(campaign))
    out = sys.stdout
    if output_format is ReportFormat.JSON:
        report.write_status_json(
            listed,
            out,
            campaign=campaign,
            as_of=loaded.as_of,
            soon_days=soon_days,
            skipped=loaded.skipped,
            everything=selected,
        )
    else:
        several = any(i.state is not State.OVERDUE for i in listed)
        table = report.status_table(
            listed, campaign, language, states=several, done=everything or bool(state)
        )
        summary = report.status_summary(selected, language, soon_days=soon_days)
        if output_format is ReportFormat.CSV:
            write_csv(table, out)
        elif output_format is ReportFormat.MARKDOWN:
            write_markdown(table, out)
            out.write(f"\n{summary}\n")
        else:
            if listed:
                write_terminal(table)
            elif not (state or everything):
                print(t("nothing", language, as_of=loaded.as_of.isoformat()))
            print(summary)
    if loaded.refused or (fail_on_overdue and any(i.state is State.OVERDUE for i in selected)):
        raise typer.Exit(EXIT_PROBLEMS)


def _status_order(campaign: Campaign) -> Callable[[Item], tuple[Any, ...]]:
    """Most overdue first, then soonest due, then campaign order."""
    from checklist.model import State

    counties = {c.code: i for i, c in enumerate(campaign.counties)}
    measures = {m.key: i for i, m in enumerate(campaign.measures)}
    rank = {State.OVERDUE: 0, State.DUE_SOON: 1, State.OPEN: 2, State.DONE_LATE: 3, State.DONE: 4}

    def key(item: Item) -> tuple[Any, ...]:
        return (
            rank[item.state],
            -(item.days_overdue or 0),
            item.due,
            counties.get(item.unit.county, 0),
            item.unit.id,
            measures.get(item.task.measure, 0),
            item.task.index,
            item.occurrence,
        )

    return key


@app.command()
def rollup(
    paths: PathsArg = None,
    config: ConfigOpt = None,
    as_of: AsOfOpt = None,
    soon: Annotated[
        int,
        typer.Option(
            "--soon",
            min=0,
            max=SOON_MAX,
            help="Count tasks due within N days as due soon.",
            metavar="N",
        ),
    ] = 7,
    by: Annotated[
        ByChoice, typer.Option("--by", help="One row per county, level, measure, owner or unit.")
    ] = ByChoice.COUNTY,
    measures: Annotated[
        bool, typer.Option("--measures", help="Add a done/tasks (overdue) column per measure.")
    ] = False,
    sort: Annotated[
        Optional[SortChoice],  # noqa: UP045
        typer.Option(
            "--sort",
            help="overdue (most first), completion (lowest first) or code; "
            "default: campaign.toml order.",
            show_default=False,
        ),
    ] = None,
    county: CountyOpt = None,
    unit: UnitOpt = None,
    owner: OwnerOpt = None,
    measure: MeasureOpt = None,
    level: LevelOpt = None,
    output_format: ReportFormatOpt = ReportFormat.TABLE,
    fail_on_overdue: FailOpt = False,
    lang: LangOpt = None,
    follow_outside: FollowOpt = False,
    no_cache: NoCacheOpt = False,
) -> None:
    """Count tasks per county, level, measure, owner or unit.

    One row per group, then a total row; the worst rows are marked.

    Example: checklist rollup --measures --sort overdue
    """
    from checklist.filters import make_filters
    from checklist.i18n import default_lang
    from checklist.render import report
    from checklist.render.table import write_csv, write_markdown, write_terminal
    from checklist.rollup import By, Sort
    from checklist.rollup import rollup as count
    from checklist.status import items

    language = Lang(lang.value) if lang else default_lang()
    loaded = _load(paths, config, as_of, language, no_cache, follow_outside)
    campaign = loaded.campaign
    chosen = make_filters(
        campaign,
        loaded.units,
        county=county or (),
        unit=unit or (),
        owner=owner or (),
        measure=measure or (),
        level=level or (),
    )
    units = [u for u in loaded.units if chosen.keep_unit(u)]
    selected = chosen.select(items(units, campaign=campaign, as_of=loaded.as_of, soon=soon))
    if owner or measure:  # then a unit counts only where it has a selected task
        units = [u for u in units if u.id in {i.unit.id for i in selected}]
    result = count(
        selected,
        units,
        campaign=_view(campaign, chosen, units),
        by=By(by.value),
        sort=Sort(sort.value) if sort else None,
    )
    out = sys.stdout
    if output_format is ReportFormat.JSON:
        report.write_rollup_json(
            result,
            out,
            as_of=loaded.as_of,
            soon_days=soon,
            skipped=loaded.skipped,
            measures=measures,
        )
    else:
        table = report.rollup_table(
            result, campaign, language, measures=measures, as_of=loaded.as_of
        )
        if output_format is ReportFormat.CSV:
            write_csv(table, out)
        elif output_format is ReportFormat.MARKDOWN:
            write_markdown(table, out)
        else:
            write_terminal(table)
    if loaded.refused or (fail_on_overdue and result.total.counts.overdue):
        raise typer.Exit(EXIT_PROBLEMS)


@app.command()
def remind(
    paths: PathsArg = None,
    config: ConfigOpt = None,
    as_of: AsOfOpt = None,
    send: Annotated[
        bool, typer.Option("--send", help="Deliver by e-mail and webhook, as campaign.toml says.")
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="With --send: show what would be sent; send and record nothing."
        ),
    ] = False,
    state_file: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--state",
            help="Where --send remembers what was delivered; default "
            ".checklist/remind-state.json in the campaign folder.",
            dir_okay=False,
            show_default=False,
        ),
    ] = None,
    county: CountyOpt = None,
    unit: UnitOpt = None,
    owner: OwnerOpt = None,
    measure: MeasureOpt = None,
    level: LevelOpt = None,
    output_format: Annotated[
        RemindFormat, typer.Option("--format", "-f", help="text, or json (the planned messages).")
    ] = RemindFormat.TEXT,
    lang: LangOpt = None,
    follow_outside: FollowOpt = False,
    no_cache: NoCacheOpt = False,
) -> None:
    """Tonight's reminders for owners, and escalations for contacts.

    Without --send, print them (cron mails what a job prints; a quiet night prints nothing).

    Example: checklist remind --send   (in crontab: 30 0 * * * checklist remind --send)
    """
    from checklist.filters import make_filters
    from checklist.i18n import default_lang
    from checklist.remind.deliver import State, deliver, locked, message_to_dict, open_channels
    from checklist.remind.plan import plan
    from checklist.status import items

    language = Lang(lang.value) if lang else default_lang()
    loaded = _load(paths, config, as_of, language, no_cache, follow_outside)
    campaign = loaded.campaign
    configured = campaign.remind.lang
    language = Lang(lang.value) if lang else Lang(configured) if configured else default_lang()
    chosen = make_filters(
        campaign,
        loaded.units,
        county=county or (),
        unit=unit or (),
        owner=owner or (),
        measure=measure or (),
        level=level or (),
    )
    soon = max(campaign.remind.advance_days, default=0)
    selected = chosen.select(items(loaded.units, campaign=campaign, as_of=loaded.as_of, soon=soon))
    messages = [
        message_to_dict(m, campaign)
        for m in plan(selected, campaign=campaign, as_of=loaded.as_of, lang=language)
    ]
    if not send or dry_run:
        if send:  # a dry run still checks the configuration, as a real run would
            open_channels(campaign, dict(os.environ))
        _print_messages(messages, output_format, as_of=loaded.as_of)
        if loaded.refused:
            raise typer.Exit(EXIT_PROBLEMS)
        return
    channels = open_channels(campaign, dict(os.environ))
    path = state_file or campaign.root / ".checklist" / "remind-state.json"
    with locked(path):
        state = State.load(path)
        state.forget(as_of=loaded.as_of)
        outcome = deliver(messages, channels, state)
    if output_format is RemindFormat.JSON:
        _print_messages(messages, output_format, as_of=loaded.as_of, outcome=outcome)
    _report_undelivered(outcome, language)
    if outcome.failed or outcome.undeliverable or loaded.refused:
        raise typer.Exit(EXIT_PROBLEMS)


def _print_messages(
    messages: list[dict[str, Any]],
    output_format: RemindFormat,
    *,
    as_of: dt.date,
    outcome: Outcome | None = None,
) -> None:
    import json

    from checklist.render import printable

    if output_format is RemindFormat.JSON:
        document: dict[str, Any] = {
            "schema_version": 1,
            "as_of": as_of.isoformat(),
            "messages": messages,
        }
        if outcome is not None:
            document["sent"] = [{"key": k, "channel": c} for k, c in outcome.sent]
            document["failed"] = [
                {"key": m["key"], "channel": c, "error": e} for m, c, e in outcome.failed
            ]
            document["undeliverable"] = [
                {"key": m["key"], "channel": c} for m, c in outcome.undeliverable
            ]
            document["skipped"] = outcome.skipped
        print(json.dumps(document, ensure_ascii=False, indent=2))
        return
    for n, message in enumerate(messages):
        if n:
            print("-" * 72)
        print(f"To: {printable(_who(message['recipient']))}")
        if message["cc"]:
            print(f"Cc: {printable(', '.join(_who(p) for p in message['cc']))}")
        print(f"Subject: {printable(message['subject'])}")
        print()
        for line in message["body"].splitlines():
            print(printable(line))


def _who(person: dict[str, Any]) -> str:
    if person["address"]:
        return f"{person['name']} <{person['address']}>"
    return f"{person['name']} ({person['unit']}, no address)"


def _report_undelivered(outcome: Outcome, lang: Lang) -> None:
    from checklist.i18n import t
    from checklist.render import printable

    problems = [(m, c, t("remind.no_address", lang)) for m, c in outcome.undeliverable]
    problems += list(outcome.failed)
    if not problems:
        return
    print(t("remind.undeliverable", lang, count=len(problems)), file=sys.stderr)
    for message, channel, reason in problems:
        print(
            printable(
                f"  {_who(message['recipient'])} [{channel}]: {message['subject']} — {reason}"
            ),
            file=sys.stderr,
        )


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="The new campaign folder.")] = Path(),
    preset: Annotated[
        Optional[Preset],  # noqa: UP045
        typer.Option(
            "--preset",
            help="Fill in a known campaign: zhengzhou (its 17 areas).",
            show_default=False,
        ),
    ] = None,
    dry_run: DryRunOpt = False,
) -> None:
    """Start a campaign folder with a commented campaign.toml.

    It also makes units/ with a README for the people who submit unit files.

    Example: checklist init campaign --preset zhengzhou
    """
    import datetime as dt

    from checklist.atomic import write_atomic
    from checklist.errors import UsageError
    from checklist.scaffold import PRESETS, SUBMITTERS_README, campaign_toml

    config = directory / "campaign.toml"
    if config.exists():
        raise UsageError(f"{config} already exists; checklist init never overwrites a campaign")
    if preset:
        name, start, end, zone, counties = PRESETS[preset.value]
    else:
        name, start, zone, counties = "新的主题教育", dt.date.today(), "Asia/Shanghai", ()
        end = start + dt.timedelta(days=120)
    files = {
        config: campaign_toml(name=name, start=start, end=end, timezone=zone, counties=counties),
        directory / "units" / "README.md": SUBMITTERS_README,
    }
    for path, text in files.items():
        if dry_run:
            print(f"--- would create {path} ---\n{text}")
        elif not path.exists():
            try:
                write_atomic(path, text.encode(), exclusive=True)
            except FileExistsError:
                raise UsageError(
                    f"{path} already exists; checklist init never overwrites"
                ) from None
            except OSError as error:
                raise UsageError(f"cannot create {path}: {error.strerror or error}") from None
            print(f"created {path}")
    if not dry_run and not preset:
        print(f"next: list your county-level areas under [[counties]] in {config}")


@app.command()
def new(
    county: Annotated[str, typer.Option("--county", help="County code or name.")],
    level: Annotated[LevelChoice, typer.Option("--level", help="county or grassroots.")],
    name: Annotated[str, typer.Option("--name", help="The unit's full name.")],
    unit_id: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--id", help="The unit id (default: <county code>-<n>).", show_default=False),
    ] = None,
    contact: Annotated[
        str,
        typer.Option("--contact", help="Who answers for the list (fill in later if not known)."),
    ] = "",
    config: ConfigOpt = None,
    dry_run: DryRunOpt = False,
) -> None:
    """Create a unit file and say what is left to fill in.

    Example: checklist new --county 二七区 --level grassroots --name "二七区建中街街道党工委"
    """
    from checklist import dates
    from checklist.edit import create, unit_ids
    from checklist.errors import UsageError
    from checklist.filters import make_filters
    from checklist.load.campaign import find_config, load_campaign
    from checklist.load.source import display
    from checklist.model import Level
    from checklist.rules.check import check_unit
    from checklist.scaffold import check_id, check_value, unit_toml, verify_unit

    check_value("--name", name)
    check_value("--contact", contact)
    check_value("--county", county)
    if unit_id is not None:
        check_id("--id", unit_id)
    campaign = load_campaign(config or find_config([Path()]))
    (code,) = make_filters(campaign, (), county=[county]).counties
    home = campaign.county(code)
    assert home is not None
    check_id(f"the county code of {county!r} in campaign.toml", code)
    ids = unit_ids(campaign)
    if unit_id is None:
        n = 1
        while f"{code.lower()}-{n:03d}" in ids:
            n += 1
        unit_id = f"{code.lower()}-{n:03d}"
    if unit_id in ids:
        raise UsageError(f"unit id {unit_id!r} is already used by {display(ids[unit_id])}")
    path = campaign.root / "units" / code / f"{unit_id}.toml"
    if path.exists():
        raise UsageError(f"{display(path)} already exists; checklist new never overwrites")
    text = unit_toml(
        unit_id=unit_id,
        name=name,
        county=home,
        level=Level(level.value),
        contact=contact,
        campaign=campaign,
    )
    values = {"id": unit_id, "name": name, "county": code, "level": level.value}
    verify_unit(text, unit=values | {"contact": contact}, campaign=campaign)
    today = dates.as_of(None, timezone=campaign.timezone)
    todo = check_unit(text.encode(), file=display(path), campaign=campaign, today=today)
    if dry_run:
        print(f"--- would create {display(path)} ---\n{text}")
    else:
        create(path, text.encode())
        print(f"created {display(path)}")
    print("left to fill in:")
    for problem in todo.problems:
        print(f"  line {problem.line}: {problem.message}")


def _edit_target(unit: str, config: Path | None) -> tuple[Campaign, Path]:
    from checklist.edit import find_unit
    from checklist.load.campaign import find_config, load_campaign

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
    from checklist.render import printable

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
            raise EditError(f"--dry-run: the real run would refuse this edit: {error}") from None
        raise
    if dry_run:
        for line in edit.diff().splitlines():
            print(printable(line))
    else:
        print(printable(f"{display(edit.path)}: {edit.summary}"))


@app.command()
def done(
    unit: UnitArg,
    measure: MeasureArg,
    task: TaskArg = None,
    on: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--on",
            help="The day it was done (default: today in the campaign's time zone).",
            show_default=False,
        ),
    ] = None,
    config: ConfigOpt = None,
    dry_run: DryRunOpt = False,
) -> None:
    """Mark a task done (a repeating task: its next open occurrence).

    Example: checklist done erqi-committee study 读书班 --on 2023-11-21
    """
    from checklist import dates
    from checklist.edit import mark_done

    campaign, path = _edit_target(unit, config)
    today = dates.as_of(None, timezone=campaign.timezone)
    day = dates.parse_day(on, base=today) if on else today
    _edit(
        path,
        lambda: mark_done(path, campaign=campaign, measure=measure, task=task, on=day),
        campaign,
        dry_run,
    )


@app.command()
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

    campaign, path = _edit_target(unit, config)
    _edit(
        path,
        lambda: open_again(path, campaign=campaign, measure=measure, task=task),
        campaign,
        dry_run,
    )


@app.command()
def postpone(
    unit: UnitArg,
    measure: MeasureArg,
    task: TaskArg = None,
    to: Annotated[str, typer.Option("--to", help="The new due date.")] = "",
    reason: Annotated[str, typer.Option("--reason", help="Why it moves (kept in the file).")] = "",
    config: ConfigOpt = None,
    dry_run: DryRunOpt = False,
) -> None:
    """Move a due date, keeping the original and the reason.

    Example: checklist postpone erqi-committee rectification 1 --to 2023-12-15 --reason 经研究调整
    """
    from checklist import dates
    from checklist.edit import postpone as move
    from checklist.errors import UsageError

    if not to or not reason:
        raise UsageError("postpone needs --to DATE and --reason TEXT")
    campaign, path = _edit_target(unit, config)
    day = dates.parse_day(to, base=dates.as_of(None, timezone=campaign.timezone))
    _edit(
        path,
        lambda: move(path, campaign=campaign, measure=measure, task=task, to=day, reason=reason),
        campaign,
        dry_run,
    )


def _view(campaign: Campaign, chosen: Filters, units: list[Unit]) -> Campaign:
    """The campaign as the filters narrow it: only the chosen counties and measures get rows."""
    from dataclasses import replace

    counties = set(chosen.counties)
    if chosen.units:
        counties |= {u.county for u in units}
    return replace(
        campaign,
        counties=tuple(c for c in campaign.counties if not counties or c.code in counties),
        measures=tuple(
            m for m in campaign.measures if not chosen.measures or m.key in chosen.measures
        ),
    )


def _report_error(error: ChecklistError) -> None:
    from checklist.render import printable

    if isinstance(error, ConfigError) and error.problems:
        from checklist.render import problems as render

        # campaign.toml's lines are quoted only when it is no link out of its folder.
        folder = Path(error.problems[0].file).absolute().parent
        render.write_text(
            error.problems,
            sys.stderr,
            sources=_sources(error.problems, within=folder),
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
        from checklist.render import printable

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
