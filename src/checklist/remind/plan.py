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
from dataclasses import dataclass

from checklist.i18n import Lang, t
from checklist.model import CalendarSettings, Campaign, Item, Person, RemindConfig, State, Unit
from checklist.words import printable
from checklist.workdays import PLAIN_WEEK, calendar_of, overdue_counter

# A rest spell longer than any holiday (Spring Festival is 8 or 9 days): the catch-up stops.
MAX_QUIET_DAYS = 31
MAX_LOOK_BACK = 1000  # days: silent_dues looks no further back for overdue tasks


class MessageKind(enum.StrEnum):
    OWNER = "owner"
    ESCALATION = "escalation"
    GROUP = "group"  # red: a liaison group's digest (remind/digest.py)


@dataclass(frozen=True, slots=True)
class Message:
    """One message to one person; ``key`` names it across runs (day, kind, recipient)."""

    key: str
    kind: MessageKind
    recipient: Person
    cc: tuple[Person, ...]
    subject: str
    body: str
    items: tuple[Item, ...]
    unit: Unit | None = None  # the unit an escalation is about


def is_advance_day(item: Item, as_of: dt.date, config: RemindConfig) -> bool:
    """Due in exactly one of the advance days (0 is the due day itself)."""
    return item.state in (State.DUE_SOON, State.OPEN) and (item.due - as_of).days in (
        config.advance_days
    )


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
    mine: dict[str, list[Item]] = {}
    escalated: dict[str, list[Item]] = {}
    due_to_escalate: set[str] = set()
    days = said_on(campaign.calendar, as_of)
    items = list(items)  # read again for the groups' digests
    for item in items:
        overdue = item.days_overdue if item.state is State.OVERDUE else None
        if told_tonight(item.state, item.due, item.days_overdue, days, as_of, campaign):
            mine.setdefault(item.task.owner.key, []).append(item)
        if overdue is not None and overdue >= config.escalate_after:
            escalated.setdefault(item.unit.id, []).append(item)
            start, every = config.escalate_after, config.overdue_every
            if overdue_tonight(item.due, overdue, days, as_of, start=start, every=every):
                due_to_escalate.add(item.unit.id)
    for found in sorted(mine.values(), key=lambda f: (f[0].task.owner.name, f[0].task.owner.key)):
        yield owner_message(found, campaign=campaign, as_of=as_of, lang=lang)
    for unit, found in escalated.items():
        if unit in due_to_escalate:
            yield escalation_message(found, campaign=campaign, as_of=as_of, lang=lang)
    if campaign.groups:
        from checklist.remind.digest import group_digests

        yield from group_digests(items, campaign=campaign, as_of=as_of, lang=lang, days=days)


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


def line_of(item: Item, campaign: Campaign, as_of: dt.date, lang: Lang, *, owner: bool) -> str:
    """A task's line in a message, as body_of makes it printable (every caller's body)."""
    task = item.task
    found = campaign.measure(task.measure)
    measure = found.name if found else ""
    title = f"{task.title} #{item.occurrence}" if item.occurrence else task.title
    overdue = item.days_overdue if item.state is State.OVERDUE else None
    when, due_on = _dates_said(overdue, item.due, as_of, lang, campaign.calendar.count)
    line = f"  - [{when}] {item.unit.name} · {measure} · {title} ({due_on})"
    if owner:
        return f"{line} · {_said('owner', lang)}: {task.owner.name}"
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


def owner_message(
    found: Sequence[Item], *, campaign: Campaign, as_of: dt.date, lang: Lang
) -> Message:
    person = found[0].task.owner
    found = sorted(found, key=_owner_order)
    overdue: list[Item] = []
    soon: list[Item] = []
    for item in found:
        (overdue if item.state is State.OVERDUE else soon).append(item)
    values = {
        "campaign": campaign.name,
        "name": person.name,
        "overdue": len(overdue),
        "soon": len(soon),
        "date": as_of.isoformat(),
    }
    template = campaign.remind.subject or _said("remind.subject", lang)
    lines = [
        _said("remind.greeting", lang, name=person.name),
        "",
        _said("remind.intro", lang, date=as_of.isoformat()),
        "",
    ]
    if overdue:
        lines.append(_said("section.overdue", lang))
        lines += [line_of(i, campaign, as_of, lang, owner=False) for i in overdue]
        lines.append("")
    if soon:
        lines.append(_said("remind.section.soon", lang))
        lines += [line_of(i, campaign, as_of, lang, owner=False) for i in soon]
        lines.append("")
    lines.append(_said("remind.signature", lang, campaign=campaign.name))
    return Message(
        key=f"{as_of.isoformat()}/owner/{person.key}",
        kind=MessageKind.OWNER,
        recipient=person,
        cc=(),
        subject=printable(template.format(**values)),
        body=body_of(lines),
        items=tuple(found),
    )


def _owner_order(item: Item) -> tuple[dt.date, str, str, int]:
    return item.due, item.unit.id, item.task.measure, item.task.index


def escalation_message(
    found: Sequence[Item], *, campaign: Campaign, as_of: dt.date, lang: Lang
) -> Message:
    unit = found[0].unit
    found = sorted(found, key=lambda i: (-(i.days_overdue or 0), i.task.measure, i.task.index))
    config = campaign.remind
    values = {
        "campaign": campaign.name,
        "name": unit.contact.name,
        "unit": unit.name,
        "count": len(found),
        "days": config.escalate_after,
        "date": as_of.isoformat(),
    }
    # Escalation counts what days overdue count: calendar days, or working days.
    unit_words = ".workdays" if campaign.calendar.count == "workdays" else ""
    template = config.escalation_subject or t("remind.escalation.subject" + unit_words, lang)
    owners = {i.task.owner.key: i.task.owner for i in found if i.task.owner != unit.contact}
    lines = [
        t("remind.greeting", lang, name=unit.contact.name),
        "",
        t(
            "remind.escalation.intro" + unit_words,
            lang,
            unit=unit.name,
            count=len(found),
            days=config.escalate_after,
            date=as_of.isoformat(),
        ),
        "",
        *(line_of(i, campaign, as_of, lang, owner=True) for i in found),
        "",
        t("remind.signature", lang, campaign=campaign.name),
    ]
    return Message(
        key=f"{as_of.isoformat()}/escalation/{unit.id}/{unit.contact.key}",
        kind=MessageKind.ESCALATION,
        recipient=unit.contact,
        cc=tuple(owners.values()),
        subject=printable(template.format(**values)),
        body=body_of(lines),
        items=tuple(found),
        unit=unit,
    )
