"""Who hears about what tonight: one message per owner, and escalations to unit contacts.

The plan is a pure function of the tasks, the report day and [remind]: it is
the same every time it is computed for that day, which is what makes a
re-run safe (the ledger remembers what was sent).
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
from collections.abc import Iterable, Iterator, Sequence
from typing import NamedTuple

from checklist.i18n import Lang, t
from checklist.model import CalendarSettings, Campaign, Item, Person, State
from checklist.status import Entry, entry_of
from checklist.words import printable
from checklist.workdays import PLAIN_WEEK, calendar_of, overdue_counter

# A rest spell longer than any holiday (Spring Festival is 8 or 9 days): the catch-up stops.
MAX_QUIET_DAYS = 31
MAX_LOOK_BACK = 1000  # days: silent_dues looks no further back for overdue tasks


class MessageKind(enum.StrEnum):
    OWNER = "owner"
    ESCALATION = "escalation"
    GROUP = "group"  # red: a liaison group's digest (remind/digest.py)


class Message(NamedTuple):
    """One message to one person; ``key`` names it across runs (day, kind, recipient).

    Its tasks are entries (status.Entry: what a line, the JSON and the ledger say of a
    task), which the index's rows make without a Unit or Task behind them. A NamedTuple:
    a night makes thousands, and a tuple is made at a third of a frozen dataclass's cost."""

    key: str
    kind: MessageKind
    recipient: Person
    cc: tuple[Person, ...]
    subject: str
    body: str
    items: tuple[Entry, ...]
    unit: str | None = None  # the id of the unit an escalation is about


def is_overdue_day(days: int, *, start: int, every: int) -> bool:
    """On day ``start`` of being overdue, then every ``every`` days."""
    return days >= start and (days - start) % every == 0


def plan(items: Iterable[Item], *, campaign: Campaign, as_of: dt.date, lang: Lang) -> list[Message]:
    """The night's messages: owners first (by name), then escalations (in campaign order).

    With a [calendar], a rest day is quiet and the next working day says what each
    rest day since the last working day would have said (docs/calendar.md).
    """
    return list(planned(items, campaign=campaign, as_of=as_of, lang=lang))


def planned(
    items: Iterable[Item], *, campaign: Campaign, as_of: dt.date, lang: Lang
) -> Iterator[Message]:
    """plan's messages one at a time: each is made when the one before has been sent or
    printed, so a province's night holds its tasks but never all its messages' text."""
    config = campaign.remind
    mine: dict[str, list[Entry]] = {}
    escalated: dict[str, list[Entry]] = {}
    contacts: dict[str, Person] = {}
    due_to_escalate: set[str] = set()
    days = said_on(campaign.calendar, as_of)
    items = list(items)  # read again for the groups' digests
    for item in items:
        overdue = item.days_overdue if item.state is State.OVERDUE else None
        told = told_tonight(item.state, item.due, item.days_overdue, days, as_of, campaign)
        if not told and (overdue is None or overdue < config.escalate_after):
            continue
        entry = entry_of(item)
        if told:
            mine.setdefault(item.task.owner.key, []).append(entry)
        if overdue is not None and overdue >= config.escalate_after:
            unit = item.unit
            escalated.setdefault(unit.id, []).append(entry)
            contacts[unit.id] = unit.contact
            start, every = config.escalate_after, config.overdue_every
            if overdue_tonight(item.due, overdue, days, as_of, start=start, every=every):
                due_to_escalate.add(unit.id)
    for found in sorted(mine.values(), key=_owner_of):
        yield owner_message(found, campaign=campaign, as_of=as_of, lang=lang)
    for unit_id, found in escalated.items():
        if unit_id in due_to_escalate:
            yield escalation_message(
                found, contacts[unit_id], campaign=campaign, as_of=as_of, lang=lang
            )
    if campaign.groups:
        from checklist.remind.digest import group_digests

        yield from group_digests(items, campaign=campaign, as_of=as_of, lang=lang, days=days)


def _owner_of(found: list[Entry]) -> tuple[str, str]:
    """Owners' messages by the owner's name, then key (Person.key)."""
    return found[0].owner, owner_of(found[0]).key


def owner_of(entry: Entry) -> Person:
    """The task's owner: a person of the task's unit, as every unit's people are."""
    return Person(entry.owner, entry.owner_address, entry.unit)


def said_on(settings: CalendarSettings, as_of: dt.date) -> tuple[dt.date, ...]:
    """The days whose reminders are said on ``as_of``: itself alone without a [calendar];
    with one, none on a rest day, and on a working day the rest days just before it too.

    Counted in working days, a rest day's counts are the last working day's, already said.
    """
    if settings == PLAIN_WEEK:
        return (as_of,)
    calendar = calendar_of(settings)
    if not calendar.is_workday(as_of):
        return ()
    if calendar.counts_workdays:
        return (as_of,)
    days = [as_of]
    while len(days) < MAX_QUIET_DAYS and not calendar.is_workday(days[-1] - dt.timedelta(days=1)):
        days.append(days[-1] - dt.timedelta(days=1))
    return tuple(reversed(days))


def counts_at(
    due: dt.date, days_overdue: int | None, day: dt.date, as_of: dt.date
) -> tuple[int, int]:
    """Days until a task is due and days it is overdue, on ``day`` (a day up to ``as_of``)."""
    if day == as_of:  # the item's own figures, as every report shows them
        return (due - as_of).days, days_overdue or 0
    return (due - day).days, (day - due).days


def told_tonight(
    state: State,
    due: dt.date,
    days_overdue: int | None,
    days: Sequence[dt.date],
    as_of: dt.date,
    campaign: Campaign,
) -> bool:
    """Whether the owner of a task is told of it tonight: on any of ``days`` (said_on)."""
    return any(told_on(state, due, days_overdue, day, as_of, campaign) for day in days)


def overdue_tonight(
    due: dt.date,
    days_overdue: int | None,
    days: Sequence[dt.date],
    as_of: dt.date,
    *,
    start: int,
    every: int,
) -> bool:
    """Whether an overdue task is, on any of ``days`` (said_on), on day ``start`` of being
    overdue or ``every`` days after: an escalation's day, or a group digest's."""
    return any(
        is_overdue_day(counts_at(due, days_overdue, day, as_of)[1], start=start, every=every)
        for day in days
    )


def told_on(
    state: State,
    due: dt.date,
    days_overdue: int | None,
    day: dt.date,
    as_of: dt.date,
    campaign: Campaign,
) -> bool:
    config = campaign.remind
    if state in (State.DONE, State.DONE_LATE):
        return False
    until, overdue = counts_at(due, days_overdue, day, as_of)
    if until >= 0:
        if campaign.calendar.count == "workdays":
            until = calendar_of(campaign.calendar).workdays_between(day, due)
        return until in config.advance_days
    return is_overdue_day(overdue, start=1, every=config.overdue_every)


def silent_dues(campaign: Campaign, as_of: dt.date, soon: int) -> frozenset[dt.date]:
    """The due days whose overdue or due-soon tasks no message holds tonight.

    planned's own tests, on each day said tonight: a due-soon task is in a message only
    on an advance day, an overdue one on an owner's day, or once escalated (or digested)
    with all its unit's (or group's) long-overdue tasks. A report from the index leaves
    these tasks out (about a third of a night's); the messages are the same.
    """
    config = campaign.remind
    days = said_on(campaign.calendar, as_of)
    kept = config.escalate_after
    if campaign.groups:
        kept = min(kept, config.group_after)
    silent = set()
    for ahead in range(soon + 1):  # due soon: from the report day to the horizon
        due = as_of + dt.timedelta(days=ahead)
        if not told_tonight(State.DUE_SOON, due, None, days, as_of, campaign):
            silent.add(due)
    late = overdue_counter(campaign.calendar, as_of)
    due = as_of - dt.timedelta(days=1)
    # Overdue: the days before the report day until a task due then is escalated; days
    # overdue grow as the due day goes back (workdays: a holiday may add none).
    while (overdue := late(due)) < kept and as_of - due < dt.timedelta(days=MAX_LOOK_BACK):
        if not told_tonight(State.OVERDUE, due, overdue, days, as_of, campaign):
            silent.add(due)
        due -= dt.timedelta(days=1)
    return frozenset(silent)


def line_of(entry: Entry, campaign: Campaign, as_of: dt.date, lang: Lang, *, owner: bool) -> str:
    """A task's line in a message, as body_of makes it printable (every caller's body)."""
    found = campaign.measure(entry.measure)
    measure = found.name if found else ""
    overdue = entry.days_overdue if entry.state is State.OVERDUE else None
    when, due_on = _dates_said(overdue, entry.due, as_of, lang, campaign.calendar.count)
    line = f"  - [{when}] {entry.unit_name} · {measure} · {entry.listed_title} ({due_on})"
    if owner:
        return f"{line} · {_said('owner', lang)}: {entry.owner}"
    return line


@functools.lru_cache(maxsize=4096)
def _dates_said(
    overdue: int | None, due: dt.date, as_of: dt.date, lang: Lang, count: str, /
) -> tuple[str, str]:
    """A line's when (days overdue, or until due) and due date: a night has a few
    hundred different ones, said thousands of times."""
    if overdue is not None:
        one, work = overdue == 1, count == "workdays"
        key = (
            ("remind.overdue_one" if one else "remind.overdue_days")
            if not work
            else ("remind.overdue_one_workday" if one else "remind.overdue_workdays")
        )
        when = t(key, lang, days=overdue)
    elif due == as_of:
        when = t("remind.due_today", lang)
    elif (due - as_of).days == 1:
        when = t("remind.due_tomorrow", lang)
    else:
        when = t("remind.due_in", lang, days=(due - as_of).days)
    return when, t("remind.due_on", lang, date=due.isoformat())


@functools.lru_cache(maxsize=4096)
def _said(key: str, lang: Lang, /, **values: object) -> str:
    """A catalogue text for a night: the same few days and dates, thousands of times."""
    return t(key, lang, **values)


def body_of(lines: list[str]) -> str:
    """The lines as a message's body, each made printable (most already are: checked in C)."""
    if not all(map(str.isprintable, lines)):
        lines = [printable(line) for line in lines]
    return "\n".join(lines) + "\n"


class _Words(NamedTuple):
    """What a night's messages say alike: the catalogue's texts (the greeting's, the
    escalation's intro and the subjects' as templates, the rest as said)."""

    date: str
    greeting: str
    intro: str
    overdue: str
    soon: str
    signature: str
    subject: str  # an owner's
    escalation_intro: str
    escalation_subject: str


@functools.lru_cache(maxsize=16)
def _words(
    campaign: str,
    subject: str | None,
    escalation_subject: str | None,
    workdays: bool,
    as_of: dt.date,
    lang: Lang,
    /,
) -> _Words:
    """A night's _Words, made once (a night's messages are thousands)."""
    date = as_of.isoformat()
    # Escalation counts what days overdue count: calendar days, or working days.
    unit_words = ".workdays" if workdays else ""
    return _Words(
        date=date,
        greeting=t("remind.greeting", lang),
        intro=t("remind.intro", lang, date=date),
        overdue=t("section.overdue", lang),
        soon=t("remind.section.soon", lang),
        signature=t("remind.signature", lang, campaign=campaign),
        subject=subject or t("remind.subject", lang),
        escalation_intro=t("remind.escalation.intro" + unit_words, lang),
        escalation_subject=escalation_subject or t("remind.escalation.subject" + unit_words, lang),
    )


def _words_of(campaign: Campaign, as_of: dt.date, lang: Lang) -> _Words:
    config, workdays = campaign.remind, campaign.calendar.count == "workdays"
    return _words(campaign.name, config.subject, config.escalation_subject, workdays, as_of, lang)


def owner_message(
    found: Sequence[Entry], *, campaign: Campaign, as_of: dt.date, lang: Lang
) -> Message:
    """One owner's message: the overdue tasks, then the due-soon ones, each by due day."""
    words = _words_of(campaign, as_of, lang)
    person = owner_of(found[0])
    found = sorted(found, key=_owner_order)
    overdue: list[Entry] = []
    soon: list[Entry] = []
    for entry in found:
        (overdue if entry.state is State.OVERDUE else soon).append(entry)
    values = {
        "campaign": campaign.name,
        "name": person.name,
        "overdue": len(overdue),
        "soon": len(soon),
        "date": words.date,
    }
    lines = [words.greeting.format(name=person.name), "", words.intro, ""]
    if overdue:
        lines.append(words.overdue)
        lines += [line_of(e, campaign, as_of, lang, owner=False) for e in overdue]
        lines.append("")
    if soon:
        lines.append(words.soon)
        lines += [line_of(e, campaign, as_of, lang, owner=False) for e in soon]
        lines.append("")
    lines.append(words.signature)
    return Message(
        f"{words.date}/owner/{person.key}",
        MessageKind.OWNER,
        person,
        (),
        printable(words.subject.format(**values)),
        body_of(lines),
        tuple(found),
    )


def _owner_order(entry: Entry) -> tuple[dt.date, str, str, int]:
    return entry.due, entry.unit, entry.measure, entry.task_index


def escalation_message(
    found: Sequence[Entry], contact: Person, *, campaign: Campaign, as_of: dt.date, lang: Lang
) -> Message:
    """One unit's escalation to its ``contact``: its tasks long overdue, the longest first."""
    words = _words_of(campaign, as_of, lang)
    first = found[0]
    unit_id, unit_name = first.unit, first.unit_name
    found = sorted(found, key=lambda e: (-(e.days_overdue or 0), e.measure, e.task_index))
    values = {
        "campaign": campaign.name,
        "name": contact.name,
        "unit": unit_name,
        "count": len(found),
        "days": campaign.remind.escalate_after,
        "date": words.date,
    }
    owners = {p.key: p for p in map(owner_of, found) if p != contact}
    lines = [
        words.greeting.format(name=contact.name),
        "",
        words.escalation_intro.format(**values),
        "",
        *(line_of(e, campaign, as_of, lang, owner=True) for e in found),
        "",
        words.signature,
    ]
    return Message(
        f"{words.date}/escalation/{unit_id}/{contact.key}",
        MessageKind.ESCALATION,
        contact,
        tuple(owners.values()),
        printable(words.escalation_subject.format(**values)),
        body_of(lines),
        tuple(found),
        unit_id,
    )
