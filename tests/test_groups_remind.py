"""The red rung of the escalation ladder: a liaison group's digest, day by day, never twice."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from checklist.i18n import Lang
from checklist.model import (
    Campaign,
    County,
    Level,
    LiaisonGroup,
    Person,
    RemindConfig,
    Task,
    Unit,
)
from checklist.remind.ledger import Ledger
from checklist.remind.plan import MessageKind, plan
from checklist.remind.send import deliver, message_to_dict
from checklist.status import items

CAMPAIGN = Campaign(
    "测试",
    dt.date(2023, 9, 9),
    dt.date(2024, 1, 31),
    (County("A", "甲区"), County("B", "乙区")),
    remind=RemindConfig(advance_days=(), overdue_every=3, escalate_after=7, group_after=14),
    groups=(
        LiaisonGroup("一组", "赵 <zhao@example.cn>", subgroups=("一组甲片",)),
        LiaisonGroup("一组甲片", "钱 <qian@example.cn>", counties=("A",)),
        LiaisonGroup("四组", "吴", sectors=("学校",)),
    ),
)


def _unit(uid: str, county: str, sector: str | None, *dues: dt.date) -> Unit:
    owner = Person("张伟", None, uid)
    tasks = tuple(
        Task("study", n, f"任务{n}", owner, due, id=f"t{n}") for n, due in enumerate(dues, 1)
    )
    contact = Person("王红", None, uid)
    return Unit(uid, uid, county, Level.GRASSROOTS, contact, tasks, f"{uid}.toml", sector=sector)


NOV = dt.date(2023, 11, 1)
UNITS = [
    # due 1 Nov and 4 Nov: 14 days overdue on 15 Nov and 18 Nov
    _unit("a1", "A", None, NOV, NOV + dt.timedelta(days=3)),
    # a school in 乙区: only 四组 covers it; due 2 Nov, 14 days overdue on 16 Nov
    _unit("b1", "B", "学校", NOV + dt.timedelta(days=1)),
]


def _digests(day: dt.date) -> dict[str, list[str]]:
    found = items(UNITS, campaign=CAMPAIGN, as_of=day, soon=0)
    return {
        m.recipient.unit: [e.task_id or "" for e in m.items]
        for m in plan(found, campaign=CAMPAIGN, as_of=day, lang=Lang.EN)
        if m.kind is MessageKind.GROUP
    }


def test_the_cadence_day_by_day() -> None:
    """By hand: a task joins its groups' digests at 14 days overdue, then every 3 days;
    a digest lists all the group's tasks 14 days overdue or more, due on that day or not."""
    seen = {NOV + dt.timedelta(days=n): _digests(NOV + dt.timedelta(days=n)) for n in range(30)}
    sent = {day.day: digest for day, digest in seen.items() if digest}
    assert sent == {
        15: {"一组": ["t1"], "一组甲片": ["t1"]},  # a1/t1 overdue 14
        16: {"四组": ["t1"]},  # b1/t1 overdue 14
        18: {"一组": ["t1", "t2"], "一组甲片": ["t1", "t2"]},  # t1 17, t2 14
        19: {"四组": ["t1"]},  # 17
        21: {"一组": ["t1", "t2"], "一组甲片": ["t1", "t2"]},  # t1 20, t2 17
        22: {"四组": ["t1"]},
        24: {"一组": ["t1", "t2"], "一组甲片": ["t1", "t2"]},
        25: {"四组": ["t1"]},
        27: {"一组": ["t1", "t2"], "一组甲片": ["t1", "t2"]},
        28: {"四组": ["t1"]},
        30: {"一组": ["t1", "t2"], "一组甲片": ["t1", "t2"]},
    }


def test_a_digest_goes_to_the_groups_contact_with_its_words() -> None:
    day = dt.date(2023, 11, 15)
    found = items(UNITS, campaign=CAMPAIGN, as_of=day, soon=0)
    (digest, _) = [
        m
        for m in plan(found, campaign=CAMPAIGN, as_of=day, lang=Lang.ZH)
        if m.kind is MessageKind.GROUP
    ]
    assert digest.key == "2023-11-15/group/一组/zhao@example.cn"
    assert (digest.recipient.name, digest.recipient.address) == ("赵", "zhao@example.cn")
    assert digest.subject == "【测试】督办:一组联系的单位有 1 项任务逾期 14 天以上(2023-11-15)"
    assert "  - [逾期 14 天] a1 · 理论学习 · 任务1 (截止 2023-11-01) · 责任人: 张伟" in digest.body


class _Recorder:
    name = "email"
    needs_address = False

    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, message: dict[str, Any]) -> None:
        self.sent.append(message["key"])

    def close(self) -> None:
        pass


def test_a_digest_is_never_sent_twice(tmp_path: Path) -> None:
    day = dt.date(2023, 11, 18)
    found = items(UNITS, campaign=CAMPAIGN, as_of=day, soon=0)
    messages = [
        message_to_dict(m, CAMPAIGN)
        for m in plan(found, campaign=CAMPAIGN, as_of=day, lang=Lang.EN)
    ]
    groups = [m["key"] for m in messages if m["kind"] == "group"]
    assert groups == [
        "2023-11-18/group/一组/zhao@example.cn",
        "2023-11-18/group/一组甲片/qian@example.cn",
    ]
    channel = _Recorder()
    for _ in range(2):  # the same night, twice
        state = Ledger.load(tmp_path / "state.json")
        deliver(messages, [channel], state)
    assert [k for k in channel.sent if "/group/" in k] == groups


def test_a_digest_due_on_a_rest_day_is_sent_on_the_next_working_day() -> None:
    """By hand, across 2023's National Day (29 Sep – 6 Oct off; Sat 7 and Sun 8 Oct
    working): a1/t1 due 15 Sep is 14, 17, 20, 23, 26, 29 days overdue on 29 Sep, 2, 5,
    8, 11, 14 Oct. The three red days of the holiday are said once, on 7 Oct; 8 and 11
    Oct are working days; Sat 14 Oct is a rest day, said on Mon 16 Oct."""
    from dataclasses import replace

    from checklist.model import CalendarSettings

    campaign = replace(CAMPAIGN, calendar=CalendarSettings(country="CN"))
    unit = _unit("a1", "A", None, dt.date(2023, 9, 15))
    sent = []
    for n in range(25):
        day = dt.date(2023, 9, 28) + dt.timedelta(days=n)
        found = items([unit], campaign=campaign, as_of=day, soon=0)
        messages = plan(found, campaign=campaign, as_of=day, lang=Lang.EN)
        if any(m.kind is MessageKind.GROUP for m in messages):
            sent.append(f"{day.month}-{day.day}")
    assert sent == ["10-7", "10-8", "10-11", "10-16", "10-17", "10-20"]


class _Mail(_Recorder):
    needs_address = True


class _Hook(_Recorder):
    name = "webhook"


def test_a_webhook_url_contact_is_not_mailed(tmp_path: Path) -> None:
    """W411 lets a group's contact be a webhook URL: the e-mail channel does not try it
    (it would fail every night); it is undeliverable there, and the webhook carries it."""
    url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"
    groups = (LiaisonGroup("一组", f"一组 <{url}>", counties=("A",)),)
    campaign = Campaign(CAMPAIGN.name, CAMPAIGN.start, CAMPAIGN.end, CAMPAIGN.counties,
                        remind=CAMPAIGN.remind, groups=groups)  # fmt: skip
    day = dt.date(2023, 11, 15)
    found = items(UNITS, campaign=campaign, as_of=day, soon=0)
    messages = [
        message_to_dict(m, campaign)
        for m in plan(found, campaign=campaign, as_of=day, lang=Lang.EN)
        if m.kind is MessageKind.GROUP
    ]
    assert [m["recipient"]["address"] for m in messages] == [url]
    mail, hook = _Mail(), _Hook()

    outcome = deliver(messages, [mail, hook], Ledger.load(tmp_path / "state.json"))

    assert mail.sent == []
    assert [(m["key"], channel) for m, channel in outcome.undeliverable] == [
        (messages[0]["key"], "email")
    ]
    assert hook.sent == [messages[0]["key"]]
    assert outcome.failed == ()
