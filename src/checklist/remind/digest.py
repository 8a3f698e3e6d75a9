"""The red rung of the escalation ladder (督办): a liaison group's digest.

Owners hear first (blue), then the unit's contact at ``escalate_after`` days overdue
(orange); at ``group_after`` days each group that covers the unit (its subgroups'
units included) gets one digest of all its units' tasks that long overdue, on the
day a task reaches it and then every ``overdue_every`` days; the ledger keeps each
digest's key, so a re-run never sends it twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

from checklist.groups import covering
from checklist.i18n import Lang, t
from checklist.model import Campaign, Item, Person, State
from checklist.remind.plan import (
    Message,
    MessageKind,
    body_of,
    line_of,
    overdue_tonight,
)
from checklist.rules.context import parse_person
from checklist.status import Entry, entry_of
from checklist.words import printable


def group_digests(
    items: Sequence[Item],
    *,
    campaign: Campaign,
    as_of: dt.date,
    lang: Lang,
    days: Sequence[dt.date] | None = None,
) -> Iterator[Message]:
    """One digest per group with a unit's task on a red day, in the campaign's order.

    ``days``: the days said tonight (plan.said_on: none on a rest day, and on a working
    day the rest days before it too); the report day alone by default.
    """
    config = campaign.remind
    said = (as_of,) if days is None else tuple(days)
    long: dict[str, list[Entry]] = {}
    due: set[str] = set()
    for item in items:
        overdue = item.days_overdue
        if item.state is not State.OVERDUE or overdue is None or overdue < config.group_after:
            continue
        unit = item.unit
        start, every = config.group_after, config.overdue_every
        red = overdue_tonight(item.due, overdue, said, as_of, start=start, every=every)
        entry = entry_of(item)
        for name in covering(campaign, county=unit.county, sector=unit.sector, unit_id=unit.id):
            long.setdefault(name, []).append(entry)
            if red:
                due.add(name)
    for group in campaign.groups:
        if group.name in due:
            yield group_digest(group.name, group.contact, long[group.name], campaign, as_of, lang)


def group_digest(
    name: str, contact: str, found: list[Entry], campaign: Campaign, as_of: dt.date, lang: Lang
) -> Message:
    """One group's digest: its units' tasks long overdue, county by county, unit by unit."""
    person_name, address = parse_person(contact)
    recipient = Person(person_name, address, name)
    order = {c.code: i for i, c in enumerate(campaign.counties)}
    found = sorted(
        found, key=lambda e: (order.get(e.county, 0), e.unit, -(e.days_overdue or 0), e.due)
    )
    values = {
        "campaign": campaign.name,
        "group": name,
        "count": len(found),
        "days": campaign.remind.group_after,
        "date": as_of.isoformat(),
    }
    lines = [
        t("remind.greeting", lang, name=person_name),
        "",
        t("remind.group.intro", lang, **values),
        "",
        *(line_of(e, campaign, as_of, lang, owner=True) for e in found),
        "",
        t("remind.signature", lang, campaign=campaign.name),
    ]
    return Message(
        key=f"{as_of.isoformat()}/group/{name}/{recipient.key}",
        kind=MessageKind.GROUP,
        recipient=recipient,
        cc=(),
        subject=printable(t("remind.group.subject", lang, **values)),
        body=body_of(lines),
        items=tuple(found),
    )
