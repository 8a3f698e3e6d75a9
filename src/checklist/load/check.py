"""Check one unit file: a pure function of its bytes, the campaign and the day.

That purity is what lets results be cached per file and computed in
parallel; only ``crosscheck`` looks at more than one file.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

from checklist.load.locate import Place
from checklist.load.pinpoint import pinpoint
from checklist.load.schema import ID_PATTERN, unit_schema
from checklist.load.shape import BAD, did_you_mean, quote, shape, table_name
from checklist.load.source import SourceError, decode, parse
from checklist.model import Campaign, Level, MeasureDef, Person, Problem, Severity, Task, Unit
from checklist.recur import SHORTHANDS, RecurrenceError, occurrences, rule_text
from checklist.rules.registry import Finding, KeyPath
from checklist.words import INVISIBLE, SCREEN, hidden_finding, strings

MAX_REPEATING_TASKS = 100


@dataclass(frozen=True, slots=True)
class Context:
    campaign: Campaign
    today: dt.date
    stem: str  # the file name without .toml: the default unit id
    folders: tuple[str, ...]  # folders between the campaign root and the file
    text: str = ""  # the file's text, for checks that can rule things out at a glance
    entries: tuple[Entry, ...] = ()  # the tasks as written, found once for every check


@dataclass(frozen=True)  # no slots: pickled by the ten thousand, see model.py
class UnitResult:
    """What checking one file found; ``unit`` is None when it has errors."""

    file: str
    unit: Unit | None
    problems: tuple[Problem, ...]
    unit_id: str | None = None  # known even when other parts of the file are broken
    unit_id_path: KeyPath = ("unit",)
    # The latest done date in the file: the only thing that makes a result depend on the
    # day (E207, done in the future), so a cached result holds while this is not after it.
    last_done: dt.date | None = None

    @property
    def has_errors(self) -> bool:
        return any(p.severity is Severity.ERROR for p in self.problems)


def check_unit(
    data: bytes, *, file: str, campaign: Campaign, today: dt.date, build: bool = True
) -> UnitResult:
    """Check a unit file's bytes; report every problem, located; build the unit if it is valid.

    Validation alone needs no unit (``build=False``), which saves a fifth of the work.
    """
    text = ""
    try:
        text = decode(data)
        doc = parse(text)
    except SourceError as error:
        return UnitResult(file, None, pinpoint([error.finding], text=text, file=file))
    findings: list[Finding] = []
    clean = shape(doc, unit_schema(campaign.measures), findings)
    ctx = Context(
        campaign,
        today,
        PurePath(file).stem,
        _folders(file, campaign),
        text,
        tuple(entries(clean, campaign)),
    )
    for check in CHECKS:
        findings.extend(check(clean, ctx))
    problems = pinpoint(findings, text=text, file=file)
    unit_id, id_path = _unit_id(clean, ctx)
    has_errors = any(p.severity is Severity.ERROR for p in problems)
    unit = None if has_errors or not build else _build(clean, ctx, file=file, text=text)
    return UnitResult(file, unit, problems, unit_id, id_path, _last_done(ctx.entries))


def _last_done(found: tuple[Entry, ...]) -> dt.date | None:
    days = []
    for entry in found:
        done = good(entry.table, "done")
        if isinstance(done, dt.date):
            days.append(done)
        elif isinstance(done, list):
            days.extend(day for day in done if isinstance(day, dt.date))
    return max(days, default=None)


def _folders(file: str, campaign: Campaign) -> tuple[str, ...]:
    folder = Path(file).absolute().parent
    try:
        return folder.relative_to(campaign.root).parts
    except ValueError:
        return folder.parts[-1:]


# --- reading the cleaned document -------------------------------------------------


def good(table: Any, key: str) -> Any:
    """The value at ``key`` if it is present and usable, else None."""
    if not isinstance(table, dict):
        return None
    value = table.get(key)
    return None if value is BAD else value


@dataclass(frozen=True, slots=True)
class Entry:
    """One task as written; a measure without tasks is its own single entry."""

    measure: MeasureDef
    table: dict[str, Any]
    path: KeyPath
    index: int  # 1-based; 0 for a measure without tasks
    defaults: dict[str, Any]  # the measure table, whose owner and due tasks inherit

    def get(self, key: str) -> Any:
        """The task's own value, else the measure's (for the keys tasks inherit)."""
        if key in self.table:
            return self.table[key]
        if self.index and key in ("owner", "due"):
            return self.defaults.get(key)
        return None

    def where(self, key: str) -> KeyPath:
        """Where the value ``get(key)`` is written."""
        if key in self.table or not self.index:
            return (*self.path, key)
        return (self.measure.key, key)

    @property
    def label(self) -> str:
        title = good(self.table, "title")
        if self.index == 0:
            return f"[{self.measure.key}]"
        return f"task {quote(title)}" if isinstance(title, str) else table_name(self.path)


def entries(doc: dict[str, Any], campaign: Campaign) -> Iterator[Entry]:
    for measure in campaign.measures:
        table = doc.get(measure.key)
        if not isinstance(table, dict):
            continue
        tasks = table.get("tasks")
        if tasks is BAD:
            continue
        if not tasks:
            yield Entry(measure, table, (measure.key,), 0, table)
            continue
        for i, task in enumerate(tasks):
            yield Entry(measure, task, (measure.key, "tasks", i), i + 1, table)


def parse_person(text: str) -> tuple[str, str | None]:
    """Split 'Name <address>' into its parts; a bare address names itself."""
    found = _angled(text)
    if found:
        return found
    if _EMAIL.fullmatch(text.strip()):
        return text.strip(), text.strip()
    return text.strip(), None


def _angled(text: str) -> tuple[str, str] | None:
    """'Name <address>' as (name, address), or None: one pass over the text.

    The regex this replaces (a lazy name, then spaces, then "<") retried the spaces from
    every character of the name: 200,000 spaces of padding took half a minute.
    """
    body = text.strip()
    if not body.endswith(">") or body.count("<") != 1 or body.count(">") != 1:
        return None
    name, _, address = body[:-1].partition("<")
    return name.strip(), address.strip()


_EMAIL = re.compile(r"^[^@\s<>,;\"]++@[^@\s<>,;\"]+\.[^@\s<>,;\".]++$")


# --- the checks ---------------------------------------------------------------------

Check = Callable[[dict[str, Any], Context], Iterator[Finding]]
CHECKS: list[Check] = []


def check(function: Check) -> Check:
    """Register a check; each runs on every file, in order of definition."""
    CHECKS.append(function)
    return function


_MUST_NOT_BE_EMPTY = {
    "name",
    "contact",
    "owner",
    "title",
    "county",
    "level",
    "id",
    "postpone_reason",
}
_MULTILINE_OK = {"note", "postpone_reason"}
# Free text, where an invisible character is a warning (emoji use them); elsewhere text
# names something, and one is an error. See hidden.py.
_FREE_TEXT = {"title", "note", "postpone_reason"}

# What could put a hidden character in a string: the character itself, or an escape that
# makes one. A file with neither needs no character-by-character scan.
_HIDDEN_ESCAPE = re.compile(r"\\[btnfrexuU]")


def _maybe_hidden(text: str) -> bool:
    # A multi-line string holds line breaks that the screen (which must let every line
    # end through) cannot see: a title that spans two lines is as wrong as "\n" in one.
    return (
        bool(SCREEN.search(text))
        or ("\\" in text and bool(_HIDDEN_ESCAPE.search(text)))
        or '"""' in text
        or "'''" in text
    )


@check
def check_text(doc: dict[str, Any], ctx: Context) -> Iterator[Finding]:
    """Empty names and titles; invisible characters anywhere."""
    if _maybe_hidden(ctx.text):
        yield from _every_string(doc)
    else:
        yield from _empty_texts(doc, ctx)


def _every_string(doc: dict[str, Any]) -> Iterator[Finding]:
    for path, text, is_key in strings(doc):
        name = str(path[-1]) if path and isinstance(path[-1], str) else "text"
        hidden = hidden_finding(
            path,
            text,
            is_key=is_key,
            multiline=not is_key and name in _MULTILINE_OK,
            names=is_key or name not in _FREE_TEXT,
        )
        if hidden:
            yield hidden
        if hidden and hidden.code == "E204":
            continue
        shown = "".join(c for c in text if c not in INVISIBLE) if hidden else text
        if not is_key and name in _MUST_NOT_BE_EMPTY and not shown.strip():
            yield _empty(name, path)


def _empty_texts(doc: dict[str, Any], ctx: Context) -> Iterator[Finding]:
    """The empty-text part of _every_string, looking only where such keys can be."""
    tables: list[tuple[KeyPath, Any]] = [(("unit",), doc.get("unit"))]
    tables += [((m.key,), doc.get(m.key)) for m in ctx.campaign.measures]
    tables += [(e.path, e.table) for e in ctx.entries if e.index]
    for path, table in tables:
        if isinstance(table, dict):
            for key in _MUST_NOT_BE_EMPTY.intersection(table):
                value = table[key]
                if isinstance(value, str) and not value.strip():
                    yield _empty(key, (*path, key))


def _empty(name: str, path: KeyPath) -> Finding:
    return Finding(
        "E203",
        f'"{name}" is empty',
        path,
        on_value=True,
        hint=_EMPTY_HINTS.get(name, f"fill in {name} or remove the key"),
    )


_EMPTY_HINTS = {
    "owner": "write the name of the one person responsible",
    "contact": "write the name of the person who answers for this list",
    "title": "say what is to be done",
}

_LEVEL_ALIASES = {"县级": "county", "县处级": "county", "领导班子": "county", "基层": "grassroots"}


@check
def check_unit_table(doc: dict[str, Any], ctx: Context) -> Iterator[Finding]:
    """The unit's county, level and id."""
    unit = doc.get("unit")
    county = good(unit, "county")
    if isinstance(county, str) and county.strip() and ctx.campaign.county(county) is None:
        yield Finding(
            "E201",
            f"unknown county {quote(county)}",
            ("unit", "county"),
            on_value=True,
            hint=_county_hint(county, ctx),
        )
    level = good(unit, "level")
    levels = [level.value for level in Level]
    if isinstance(level, str) and level.strip() and level not in levels:
        guess = _LEVEL_ALIASES.get(level.strip()) or did_you_mean(level, levels)
        hint = f'did you mean "{guess}"?' if guess else 'write "county" or "grassroots"'
        yield Finding(
            "E202",
            f'unknown level {quote(level)}: it is "county" (county-level '
            'leadership team) or "grassroots"',
            ("unit", "level"),
            on_value=True,
            hint=hint,
        )
    unit_id = good(unit, "id")
    if isinstance(unit_id, str):
        if unit_id.strip() and not re.fullmatch(ID_PATTERN, unit_id):
            yield Finding(
                "E210",
                f"unit id {quote(unit_id)} has characters ids cannot have",
                ("unit", "id"),
                on_value=True,
                hint="use letters, digits, '.', '_' and '-', like erqi-committee",
            )
    elif isinstance(unit, dict) and "id" not in unit and not re.fullmatch(ID_PATTERN, ctx.stem):
        yield Finding(
            "E210",
            f"the file name gives the unit id {quote(ctx.stem)}, which has "
            "characters ids cannot have",
            ("unit",),
            hint='add id = "…" under [unit] (letters, digits, ".", "_", "-")',
        )


def _county_hint(text: str, ctx: Context) -> str:
    campaign = ctx.campaign
    for folder in ctx.folders:
        home = campaign.county(folder)
        if home is not None:
            return f'did you mean "{home.code}" ({home.name}), the county of this folder?'
    # A code of the right length is more likely another county than a typo: no guess.
    codes = [c.code for c in campaign.counties if len(c.code) != len(text.strip())]
    names = {c.name: c for c in campaign.counties}
    guess = did_you_mean(text, codes)
    match = campaign.county(guess) if guess else None
    if match is None:
        candidates = [c for name, c in names.items() if text.strip() in name or name in text]
        if not candidates:
            close = difflib.get_close_matches(text, list(names), n=1, cutoff=0.5)
            candidates = [names[close[0]]] if close else []
        match = candidates[0] if len(candidates) == 1 else None
    if match:
        return f'did you mean "{match.code}" ({match.name})?'
    listed = ", ".join(f"{c.code} {c.name}" for c in campaign.counties[:20])
    return f"use a county code from campaign.toml: {listed}"


@check
def check_people(doc: dict[str, Any], ctx: Context) -> Iterator[Finding]:
    """Addresses in [people] and in 'Name <address>' owners and contacts."""
    people = doc.get("people")
    if isinstance(people, dict):
        for name, address in people.items():
            if isinstance(address, str) and not _EMAIL.fullmatch(address.strip()):
                yield Finding(
                    "E209",
                    f"{quote(address)} is not an e-mail address",
                    ("people", name),
                    on_value=True,
                    hint=f'write {quote(name)} = "name@example.cn"',
                )
    places: list[tuple[KeyPath, Any]] = [(("unit", "contact"), good(doc.get("unit"), "contact"))]
    for entry in ctx.entries:
        if "owner" in entry.table:
            places.append(((*entry.path, "owner"), good(entry.table, "owner")))
    for path, text in places:
        if not isinstance(text, str) or not ("<" in text or ">" in text or "@" in text):
            continue
        found = _angled(text)
        address = found[1] if found else text.strip()
        if (found is None and "<" in text + ">") or not _EMAIL.fullmatch(address):
            yield Finding(
                "E209",
                f"{quote(text)} is not a name with an e-mail address",
                path,
                on_value=True,
                hint='write "张伟 <zhangwei@example.cn>", or only '
                "the name with its address in [people]",
            )


@check
def check_tasks(doc: dict[str, Any], ctx: Context) -> Iterator[Finding]:
    """Every task ends up with an owner and a due date; keys sit where they mean something."""
    for measure in ctx.campaign.measures:
        table = doc.get(measure.key)
        if isinstance(table, dict) and table.get("tasks") and table["tasks"] is not BAD:
            for key in ("done", "repeat", "until", "id", "postponed_from", "postpone_reason"):
                if key in table:
                    yield Finding(
                        "E105",
                        f'"{key}" belongs on a task: [{measure.key}] has tasks',
                        (measure.key, key),
                        hint=f"move it into the [[{measure.key}.tasks]] "
                        "it is about; a measure's own owner and due are its tasks' defaults",
                    )
    ids: dict[str, KeyPath] = {}
    titles: dict[tuple[str, str], int] = {}
    for entry in ctx.entries:
        for key in ("owner", "due"):
            if entry.get(key) is None:
                yield _unresolved(entry, key)
        repeat = entry.table.get("repeat")
        if "until" in entry.table and repeat is None:
            yield Finding(
                "E105",
                '"until" only goes with "repeat"',
                (*entry.path, "until"),
                hint='add repeat = "weekly" (or another rule), or remove until',
            )
        done = entry.table.get("done")
        if isinstance(done, list) and repeat is None:
            yield Finding(
                "E103",
                f'"done" is a list, but {entry.label} does not repeat',
                (*entry.path, "done"),
                on_value=True,
                hint="write the one day it was done, like done = 2023-10-27",
            )
        task_id = good(entry.table, "id")
        if isinstance(task_id, str) and task_id.strip():
            if not re.fullmatch(ID_PATTERN, task_id):
                yield Finding(
                    "E210",
                    f"task id {quote(task_id)} has characters ids cannot have",
                    (*entry.path, "id"),
                    on_value=True,
                    hint="use letters, digits, '.', '_' and '-', like study-1",
                )
            elif task_id in ids:
                yield Finding(
                    "E212",
                    f"task id {quote(task_id)} is already used by {table_name(ids[task_id][:-1])}",
                    (*entry.path, "id"),
                    on_value=True,
                    hint="give each task of the unit its own id",
                )
            else:
                ids[task_id] = (*entry.path, "id")
        title = good(entry.table, "title")
        if isinstance(title, str) and title.strip():
            seen = (entry.measure.key, title.strip())
            if seen in titles:
                yield Finding(
                    "W401",
                    f"task title {quote(title)} appears twice in "
                    f"[{entry.measure.key}] (tasks #{titles[seen]} and #{entry.index})",
                    (*entry.path, "title"),
                    on_value=True,
                    hint="tell the tasks apart in their titles, or merge them",
                )
            else:
                titles[seen] = entry.index
        if ("postponed_from" in entry.table) != ("postpone_reason" in entry.table):
            present = "postponed_from" if "postponed_from" in entry.table else "postpone_reason"
            missing = "postpone_reason" if present == "postponed_from" else "postponed_from"
            yield Finding(
                "W404",
                f'{entry.label} has "{present}" but no "{missing}"',
                (*entry.path, present),
                hint="a postponement records both the original due date and why",
            )


def _unresolved(entry: Entry, key: str) -> Finding:
    example = '"张伟"' if key == "owner" else "2023-10-31"
    if entry.index == 0:
        return Finding(
            "E102",
            f'[{entry.measure.key}] has no tasks, so it needs its own "{key}"',
            entry.path,
            hint=f"add {key} = {example} under [{entry.measure.key}], or add "
            f"[[{entry.measure.key}.tasks]]",
        )
    return Finding(
        "E102",
        f"{entry.label} has no {key}, and [{entry.measure.key}] gives none to inherit",
        entry.path,
        hint=f"add {key} = {example} to this task or to [{entry.measure.key}]",
    )


@check
def check_dates(doc: dict[str, Any], ctx: Context) -> Iterator[Finding]:
    """Due dates inside the campaign; done dates neither in the future nor before the start."""
    campaign = ctx.campaign
    for measure in campaign.measures:
        due = good(doc.get(measure.key), "due")
        if isinstance(due, dt.date):
            yield from _due_in_campaign(due, (measure.key, "due"), campaign)
    for entry in entries(doc, campaign):
        if entry.index:
            due = good(entry.table, "due")
            if isinstance(due, dt.date):
                yield from _due_in_campaign(due, (*entry.path, "due"), campaign)
        done = good(entry.table, "done")
        dated = (
            [((*entry.path, "done"), done)]
            if isinstance(done, dt.date)
            else [((*entry.path, "done", i), d) for i, d in enumerate(done or ())]
        )
        for path, day in dated:
            if day > ctx.today:
                yield Finding(
                    "E207",
                    f"done date {day} is in the future (today is {ctx.today})",
                    path,
                    on_value=True,
                    hint="record a task as done on or after the "
                    "day it was done; fix a typo in the year or month",
                )
            elif day < campaign.start:
                yield Finding(
                    "E208",
                    f"done date {day} is before the campaign started ({campaign.start})",
                    path,
                    on_value=True,
                    hint="fix the date; work before the start is not part of it",
                )


def _due_in_campaign(due: dt.date, path: KeyPath, campaign: Campaign) -> Iterator[Finding]:
    if not campaign.start <= due <= campaign.end:
        side = "before the campaign starts" if due < campaign.start else "after the campaign ends"
        yield Finding(
            "E206",
            f"due date {due} is {side} ({campaign.start} to {campaign.end})",
            path,
            on_value=True,
            hint=f"choose a day from {campaign.start} to {campaign.end}",
        )


@check
def check_recurrence(doc: dict[str, Any], ctx: Context) -> Iterator[Finding]:
    """Repeat rules parse, occur in the campaign, and have no more done dates than occurrences."""
    count = 0
    for entry in ctx.entries:
        repeat, due = good(entry.table, "repeat"), entry.get("due")
        if not isinstance(repeat, str) or not isinstance(due, dt.date):
            continue
        path = (*entry.path, "repeat")
        count += 1
        if count > MAX_REPEATING_TASKS:
            yield Finding(
                "E205",
                f"more than {MAX_REPEATING_TASKS} repeating tasks in one file",
                path,
                hint="merge repeating tasks, or split the unit",
            )
            continue
        until = good(entry.table, "until")
        last = min(until, ctx.campaign.end) if isinstance(until, dt.date) else ctx.campaign.end
        try:
            if not ctx.campaign.start <= due <= ctx.campaign.end:
                # E206 says so; expanding from a due date centuries away is only work.
                rule_text(repeat, due)
                continue
            dates = occurrences(repeat, first=due, last=last)
        except RecurrenceError as error:
            yield Finding(
                "E205",
                f"repeat = {quote(repeat)} is not a rule: {error}",
                path,
                on_value=True,
                hint=f'use {", ".join(SHORTHANDS)}, or RRULE text such as "FREQ=WEEKLY;BYDAY=FR"',
            )
            continue
        if isinstance(until, dt.date) and until < due:
            yield Finding(
                "W403",
                f"{entry.label} repeats until {until}, before its due date {due}",
                (*entry.path, "until"),
                on_value=True,
                hint="until is the last day an occurrence may fall on; move it after due",
            )
        elif not dates:
            yield Finding(
                "W403",
                f"{entry.label} repeats, but never between its due date {due} and {last}",
                path,
                on_value=True,
                hint="check due, until and the campaign's end",
            )
        done = good(entry.table, "done")
        done = [done] if isinstance(done, dt.date) else done
        if not isinstance(done, list):
            continue
        if len(done) > len(dates):
            yield Finding(
                "E211",
                f"{len(done)} done dates, but {entry.label} occurs only "
                f"{len(dates)} times up to {last}",
                (*entry.path, "done"),
                on_value=True,
                hint="one done date per occurrence, in order",
            )
        if done != sorted(done):
            yield Finding(
                "W402",
                "done dates are not in order; the n-th date completes the n-th occurrence",
                (*entry.path, "done"),
                on_value=True,
                hint="list the dates from earliest to latest",
            )


@check
def check_county_folder(doc: dict[str, Any], ctx: Context) -> Iterator[Finding]:
    """A file filed under one county's folder but naming another."""
    county = ctx.campaign.county(good(doc.get("unit"), "county") or "")
    if county is None:
        return
    for folder in ctx.folders:
        other = ctx.campaign.county(folder)
        if other is not None and other != county:
            yield Finding(
                "W405",
                f"the file is in the folder of {other.code} ({other.name}), "
                f"but its county is {county.code} ({county.name})",
                ("unit", "county"),
                on_value=True,
                hint="move the file to its county's folder, or correct county",
            )
            return


# --- building the unit --------------------------------------------------------------


def _unit_id(doc: dict[str, Any], ctx: Context) -> tuple[str | None, KeyPath]:
    unit = doc.get("unit")
    unit_id = good(unit, "id")
    if isinstance(unit_id, str):
        return unit_id, ("unit", "id")
    if isinstance(unit, dict) and "id" not in unit:
        return ctx.stem, ("unit",)
    return None, ("unit",)


_TASK_HEADER = re.compile(
    r"^[ \t]*\[\[[ \t]*([A-Za-z0-9_]+)[ \t]*\.[ \t]*tasks[ \t]*\]\]", re.MULTILINE
)


def _task_lines(text: str) -> dict[str, list[int]]:
    """Header lines of every [[measure.tasks]], in one pass; suits files as people write them."""
    found: dict[str, list[int]] = {}
    line, position = 1, 0
    for match in _TASK_HEADER.finditer(text):
        line += text.count("\n", position, match.start())
        position = match.start()
        found.setdefault(match[1], []).append(line)
    return found


def _build(doc: dict[str, Any], ctx: Context, *, file: str, text: str) -> Unit:
    unit = doc["unit"]
    unit_id = unit.get("id", ctx.stem)
    people = doc.get("people", {})

    persons: dict[str, Person] = {}

    def person(written: str) -> Person:
        if written not in persons:  # a unit names the same few people many times
            name, address = parse_person(written)
            persons[written] = Person(name, address or people.get(name), unit_id)
        return persons[written]

    tasks = []
    headers = _task_lines(text)
    located: list[dict[KeyPath, Place]] = []  # the position pass, run at most once
    for entry in ctx.entries:
        key = entry.measure.key
        found = headers.get(key, [])
        # The cheap scan fits files as people write them; anything else is located exactly.
        written = doc[key].get("tasks") or []
        line = (
            found[entry.index - 1]
            if entry.index and len(found) == len(written)
            else _line_of(text, entry, located)
        )
        done = entry.table.get("done")
        tasks.append(
            Task(
                measure=key,
                index=entry.index,
                title=entry.table.get("title", entry.measure.name),
                owner=person(entry.get("owner")),
                due=entry.get("due"),
                done=tuple(done) if isinstance(done, list) else (done,) if done else (),
                repeat=entry.table.get("repeat"),
                until=entry.table.get("until"),
                id=entry.table.get("id"),
                note=entry.table.get("note"),
                postponed_from=entry.table.get("postponed_from"),
                postpone_reason=entry.table.get("postpone_reason"),
                line=line,
            )
        )
    county = ctx.campaign.county(unit["county"])
    assert county is not None  # checked above: a unit with an unknown county has errors
    return Unit(
        id=unit_id,
        name=unit["name"],
        county=county.code,
        level=Level(unit["level"]),
        contact=person(unit["contact"]),
        tasks=tuple(tasks),
        file=file,
        note=unit.get("note"),
    )


def _line_of(text: str, entry: Entry, located: list[dict[KeyPath, Place]]) -> int:
    """The line of a measure's [key] header, or of an unusually written task.

    ``located`` keeps the position pass for the next task: run once per task, it took
    the square of the file's size (20,000 tasks in an inline array: minutes).
    """
    if entry.index == 0:
        header = re.search(
            rf"^[ \t]*\[[ \t]*{re.escape(entry.measure.key)}[ \t]*\]", text, re.MULTILINE
        )
        if header:
            return text.count("\n", 0, header.start()) + 1
    if not located:
        from checklist.load.locate import locate

        try:
            located.append(locate(text))
        except ValueError:
            located.append({})
    place = located[0].get(entry.path)
    return place.key.line if place else 1
