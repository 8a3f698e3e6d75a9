"""Who is reminded on which night: advance days, the overdue cadence and escalation, by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from checklist.i18n import Lang
from checklist.model import Campaign, County, Level, Person, Task, Unit
from checklist.remind.plan import Message, MessageKind, plan
from checklist.status import items

D = dt.date
CAMPAIGN = Campaign("测试", D(2023, 9, 9), D(2024, 1, 31), (County("410103", "二七区"),))


def person(name: str, unit: str, address: str | None = None) -> Person:
    return Person(name, address, unit)


def unit(uid: str, *tasks: Task, contact: str = "王红") -> Unit:
    return Unit(
        uid, f"{uid}单位", "410103", Level.COUNTY, person(contact, uid), tasks, f"{uid}.toml"
    )


def task(title: str, due: D, owner: Person, *, done: tuple[D, ...] = (), index: int = 1) -> Task:
    return Task("study", index, title, owner, due, done)


def tonight(units: list[Unit], day: D) -> list[Message]:
    return plan(
        items(units, campaign=CAMPAIGN, as_of=day, soon=7),
        campaign=CAMPAIGN,
        as_of=day,
        lang=Lang.EN,
    )


def owners_on(day: D, units: list[Unit]) -> list[str]:
    return [m.recipient.name for m in tonight(units, day) if m.kind is MessageKind.OWNER]


ZHANG = person("张伟", "a")
DUE = D(2023, 11, 27)


@pytest.mark.parametrize(
    ("day", "reminded"),
    [
        (D(2023, 11, 19), False),  # 8 days before
        (D(2023, 11, 20), True),  # 7 days before
        (D(2023, 11, 21), False),
        (D(2023, 11, 24), True),  # 3 days before
        (D(2023, 11, 25), False),
        (D(2023, 11, 26), True),  # 1 day before
        (D(2023, 11, 27), True),  # the due day
    ],
)
def test_owners_hear_7_3_1_and_0_days_before_the_due_date(day: D, reminded: bool) -> None:
    units = [unit("a", task("读书班", DUE, ZHANG))]
    assert owners_on(day, units) == (["张伟"] if reminded else [])


@pytest.mark.parametrize(
    ("days_overdue", "owner", "escalated"),
    [
        (1, True, False),  # the first day overdue
        (2, False, False),
        (3, False, False),
        (4, True, False),  # then every 3 days
        (6, False, False),
        (7, True, True),  # 7 days: the contact hears too
        (8, False, False),
        (10, True, True),
        (13, True, True),
        (14, False, False),
    ],
)
def test_overdue_cadence_and_escalation(days_overdue: int, owner: bool, escalated: bool) -> None:
    day = DUE + dt.timedelta(days=days_overdue)
    messages = tonight([unit("a", task("读书班", DUE, ZHANG))], day)
    assert [m.kind for m in messages if m.kind is MessageKind.OWNER] == (
        [MessageKind.OWNER] if owner else []
    )
    escalations = [m for m in messages if m.kind is MessageKind.ESCALATION]
    assert len(escalations) == int(escalated)
    if escalated:
        (message,) = escalations
        assert message.recipient.name == "王红"
        assert [p.name for p in message.cc] == ["张伟"]


def test_a_done_task_is_never_reminded() -> None:
    units = [unit("a", task("读书班", DUE, ZHANG, done=(D(2023, 11, 1),)))]
    assert tonight(units, D(2023, 11, 20)) == []
    assert tonight(units, D(2023, 12, 4)) == []


def test_one_message_per_owner_listing_all_their_tasks() -> None:
    units = [unit("a", task("读书班", DUE, ZHANG), task("调研", D(2023, 11, 19), ZHANG, index=2))]
    (message,) = tonight(units, D(2023, 11, 20))
    assert [e.title for e in message.items] == ["调研", "读书班"]  # overdue first (by due)
    assert "1 overdue, 1 due soon" in message.subject
    assert "[1 day overdue]" in message.body
    assert "[due in 7 days]" in message.body


def test_an_address_joins_one_person_across_units_and_a_bare_name_does_not() -> None:
    same = "zw@example.cn"
    joined = [
        unit("a", task("读书班", DUE, person("张伟", "a", same))),
        unit("b", task("调研", DUE, person("张伟", "b", same))),
    ]
    (message,) = tonight(joined, D(2023, 11, 20))
    assert len(message.items) == 2
    assert message.recipient.address == same
    apart = [
        unit("a", task("读书班", DUE, person("张伟", "a"))),
        unit("b", task("调研", DUE, person("张伟", "b"))),
    ]
    assert len(tonight(apart, D(2023, 11, 20))) == 2


def test_an_escalation_lists_every_long_overdue_task_of_the_unit() -> None:
    # 11-10 is 10 days overdue on 11-20 (an escalation day); 11-12 is 8 (not one, but listed).
    units = [
        unit(
            "a",
            task("读书班", D(2023, 11, 10), ZHANG),
            task("调研", D(2023, 11, 12), person("李强", "a"), index=2),
        )
    ]
    (escalation,) = [m for m in tonight(units, D(2023, 11, 20)) if m.kind is MessageKind.ESCALATION]
    assert [i.days_overdue for i in escalation.items] == [10, 8]
    assert {p.name for p in escalation.cc} == {"张伟", "李强"}
    assert escalation.key == "2023-11-20/escalation/a/a/王红"


def test_message_keys_are_stable_for_the_day_so_a_rerun_can_skip_them() -> None:
    units = [unit("a", task("读书班", DUE, ZHANG))]
    first = [m.key for m in tonight(units, D(2023, 11, 20))]
    assert first == [m.key for m in tonight(units, D(2023, 11, 20))] == ["2023-11-20/owner/a/张伟"]
