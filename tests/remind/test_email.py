"""`remind --send` by e-mail to a real SMTP server on loopback: once, when it is down, headers.

The campaign and what each message says: night.py."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Result
from remind.night import (
    CJ,
    DAY,
    ERQI,
    EXPECTED,
    JINSHUI,
    KEYS,
    LQ,
    NEXT_DAY,
    NEXT_DAY_CJ_SUBJECT,
    NO_ADDRESS_SUBJECT,
    WH,
    ZW,
    smtp_table,
    state_of,
    timed,
)
from remind.servers import Mail, SmtpServer, by_recipient

# --- 1, 2: e-mail, once ---------------------------------------------------------------


def test_send_mails_each_owner_with_an_address_and_escalates_to_the_contact(
    cli: Callable[..., Result], make_campaign: Callable[..., Path], smtp: SmtpServer
) -> None:
    folder = make_campaign(smtp_table(smtp.port))

    result = cli("remind", folder, "--send", "--lang", "zh")

    assert result.code == 1, result.err
    assert result.out == ""
    mails = by_recipient(smtp.received)
    assert sorted(mails) == sorted([ZW, LQ, CJ, WH])
    for address, (subject, body) in EXPECTED.items():
        mail = mails[address]
        message = mail.message
        assert message["Subject"] == subject
        assert message.get_content() == body
        assert message.get_content_type() == "text/plain"
        assert message.get_content_charset() == "utf-8"
        (sender,) = message["From"].addresses
        assert (sender.display_name, sender.addr_spec) == ("主题教育办", "office@example.cn")
        assert mail.mail_from == "office@example.cn"
        # On the wire the headers are ASCII: the Chinese subject is RFC 2047-encoded.
        head = mail.raw.split(b"\r\n\r\n", 1)[0]
        assert head.isascii()
        assert re.search(rb"^Subject: =\?utf-8\?", head, re.MULTILINE | re.IGNORECASE)
        assert subject.encode() not in mail.raw
        assert message["Message-ID"]
        assert message["Date"]
    names = {ZW: "张伟", LQ: "李强", CJ: "陈静", WH: "王红"}
    for address, mail in mails.items():
        (to,) = mail.message["To"].addresses
        assert (to.display_name, to.addr_spec) == (names[address], address)
    escalation = mails[WH]
    cc = [(a.display_name, a.addr_spec) for a in escalation.message["Cc"].addresses]
    assert cc == [("张伟", ZW)]
    assert sorted(escalation.rcpt_tos) == sorted([WH, ZW])
    for address in (ZW, LQ, CJ):
        assert mails[address].message["Cc"] is None
        assert mails[address].rcpt_tos == [address]
    # The owner without an address is named on stderr; nobody else is.
    assert "无法送达(1):" in result.err
    assert "刘洋" in result.err
    assert NO_ADDRESS_SUBJECT in result.err
    for other in ("张伟", "李强", "陈静", "王红"):
        assert other not in result.err.replace(NO_ADDRESS_SUBJECT, "")


def test_send_again_on_the_same_day_sends_nothing_twice(
    cli: Callable[..., Result], make_campaign: Callable[..., Path], smtp: SmtpServer
) -> None:
    folder = make_campaign(smtp_table(smtp.port))
    first = cli("remind", folder, "--send", "--lang", "zh")
    assert first.code == 1
    assert len(smtp.received) == 4

    second = cli("remind", folder, "--send", "--lang", "zh")

    assert len(smtp.received) == 4
    assert second.code == 1  # the owner without an address still has none
    assert second.out == ""
    assert second.err == first.err
    assert "无法送达(1):" in second.err
    assert "刘洋" in second.err

    third = cli("remind", folder, "--send", "--lang", "zh", "--format", "json")
    assert len(smtp.received) == 4
    document = json.loads(third.out)
    assert document["sent"] == []
    assert document["failed"] == []
    assert document["undeliverable"] == [{"key": KEYS[0], "channel": "email"}]
    assert document["skipped"] == 4


# --- 3: the server is down ------------------------------------------------------------


def test_mail_server_down_fails_everything_and_the_next_run_delivers_each_once(
    cli: Callable[..., Result],
    make_campaign: Callable[..., Path],
    smtp_servers: Callable[..., SmtpServer],
) -> None:
    down = smtp_servers()
    down.stop()
    folder = make_campaign(smtp_table(down.port))

    failed, seconds = timed(cli, "remind", folder, "--send", "--lang", "zh")

    assert failed.code == 1
    assert seconds < 15
    assert "无法送达(5):" in failed.err
    for name in ("刘洋", "张伟", "李强", "陈静", "王红"):
        assert name in failed.err
    assert "Traceback" not in failed.err
    state = state_of(folder)
    assert state["delivered"] == {}
    assert sorted(state["pending"]) == sorted(f"{k}@email" for k in KEYS[1:])

    up = smtp_servers(down.port)
    again = cli("remind", folder, "--send", "--lang", "zh")

    assert again.code == 1  # 刘洋 still has no address
    assert "无法送达(1):" in again.err
    mails = by_recipient(up.received)
    assert sorted(mails) == sorted([ZW, LQ, CJ, WH])
    for address, (subject, body) in EXPECTED.items():
        assert mails[address].message["Subject"] == subject
        assert mails[address].message.get_content() == body
    assert state_of(folder)["pending"] == {}

    cli("remind", folder, "--send", "--lang", "zh")
    assert len(up.received) == 4


def test_mail_that_failed_yesterday_arrives_with_todays_on_the_next_days_run(
    cli: Callable[..., Result],
    make_campaign: Callable[..., Path],
    smtp_servers: Callable[..., SmtpServer],
) -> None:
    down = smtp_servers()
    down.stop()
    folder = make_campaign(smtp_table(down.port))
    assert cli("remind", folder, "--send", "--lang", "zh", "--as-of", DAY).code == 1

    up = smtp_servers(down.port)
    result = cli("remind", folder, "--send", "--lang", "zh", "--as-of", NEXT_DAY)

    assert result.code == 1  # 刘洋 (due today) has no address
    subjects = Counter(mail.message["Subject"] for mail in up.received)
    assert subjects == Counter([*(s for s, _ in EXPECTED.values()), NEXT_DAY_CJ_SUBJECT])
    for mail in up.received:  # yesterday's arrive as they were written
        if DAY in mail.message["Subject"]:
            assert mail.message.get_content() == EXPECTED[mail.to][1]
    assert state_of(folder)["pending"] == {}

    cli("remind", folder, "--send", "--lang", "zh", "--as-of", NEXT_DAY)
    assert len(up.received) == 5


# --- 10: headers ------------------------------------------------------------------------

PUNCTUATED = """\
[unit]
id = "erqi-office"
name = "二七区测试办公室"
county = "410103"
level = "county"
contact = "王红 <wh@example.cn>"

[people]
"张, 伟" = "zw@example.cn"
'李 "小强"' = "lq@example.cn"

[study]
owner = "张, 伟"

[[study.tasks]]
title = "读书班结业"
due = 2023-11-13

[research]
owner = '李 "小强"'

[[research.tasks]]
title = "专题调研报告"
due = 2023-11-10

[development]
owner = "王红"
due = 2024-01-31

[[development.tasks]]
title = "商圈提质改造"

[rectification]
owner = "王红"
due = 2024-01-31

[[rectification.tasks]]
title = "专项整治"

[institutions]
owner = "王红"
due = 2024-01-31

[[institutions.tasks]]
title = "月度考评制度"
"""


def test_names_with_commas_and_quotes_make_parseable_address_headers(
    cli: Callable[..., Result], make_campaign: Callable[..., Path], smtp: SmtpServer
) -> None:
    folder = make_campaign(smtp_table(smtp.port), units={"410103/erqi-office.toml": PUNCTUATED})

    result = cli("remind", folder, "--send", "--lang", "zh")

    assert result.code == 0, result.err
    mails = by_recipient(smtp.received)
    assert sorted(mails) == sorted([ZW, LQ, WH])

    def addresses(message: EmailMessage, header: str) -> list[tuple[str, str]]:
        return [(a.display_name, a.addr_spec) for a in message[header].addresses]

    assert addresses(mails[ZW].message, "To") == [("张, 伟", ZW)]
    assert addresses(mails[LQ].message, "To") == [('李 "小强"', LQ)]
    escalation = mails[WH].message
    assert addresses(escalation, "To") == [("王红", WH)]
    assert sorted(addresses(escalation, "Cc")) == sorted([("张, 伟", ZW), ('李 "小强"', LQ)])
    assert sorted(mails[WH].rcpt_tos) == sorted([WH, ZW, LQ])
    assert (
        mails[ZW].message["Subject"] == "【测试主题教育】张, 伟:逾期 1 项,即将到期 0 项(2023-11-20)"
    )
    assert mails[ZW].message.get_content().startswith("张, 伟同志:\n")
    for mail in mails.values():
        head = mail.raw.split(b"\r\n\r\n", 1)[0]
        assert head.isascii()
        assert not head.startswith(b"\r\n")


# --- issue 9: none lost, none blocked, never more than one duplicate -------------------------

# Characters that end a header line somewhere (CR, LF, NEL, line and paragraph separators,
# the ASCII separators str.splitlines honours), and other controls.
HEADER_BREAKERS = "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\x00\x1b\x7f\x9b\t"
HEADER_NAMES = {
    "from",
    "to",
    "cc",
    "subject",
    "date",
    "message-id",
    "content-type",
    "content-transfer-encoding",
    "mime-version",
}


def plain_message(key: str, name: str, address: str, subject: str, *cc: dict) -> dict:
    return {
        "key": f"{DAY}/owner/{key}",
        "kind": "owner",
        "recipient": {"name": name, "address": address, "unit": "erqi-office"},
        "cc": list(cc),
        "subject": subject,
        "body": f"{name}同志:\n\n正文\n",
        "unit": None,
        "tasks": [],
    }


def mail_channel(port: int, timeout: int = 5) -> Any:
    from checklist.model import SmtpConfig
    from checklist.remind.email import Email

    config = SmtpConfig(
        "127.0.0.1", "主题教育办 <office@example.cn>", port=port, security="none", timeout=timeout
    )
    return Email(config, {})


def assert_clean_head(mail: Mail) -> None:
    """Each header line a known header or a folded continuation, with no line breaker in it:
    none injected, none cut. (ASCII unless an address is not: then SMTPUTF8 sends UTF-8.)"""
    head = mail.raw.split(b"\r\n\r\n", 1)[0].decode("utf-8")
    for line in head.split("\r\n"):
        assert not set(line) & set(HEADER_BREAKERS.replace("\t", "")), line
        if line[:1] in (" ", "\t"):
            continue
        name, colon, _ = line.partition(":")
        assert colon, line
        assert name.lower() in HEADER_NAMES, line


hostile_text = st.text(
    alphabet=st.sampled_from(HEADER_BREAKERS) | st.characters(codec="utf-8"), max_size=12
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(before=hostile_text, after=hostile_text, subject=hostile_text, user=hostile_text)
def test_a_name_or_subject_that_breaks_headers_never_stops_the_messages_after_it(
    smtp: SmtpServer,
    tmp_path_factory: pytest.TempPathFactory,
    before: str,
    after: str,
    subject: str,
    user: str,
) -> None:
    """Item 6: any name, subject or address goes out with clean headers, or fails alone."""
    from checklist.remind.ledger import Ledger
    from checklist.remind.send import deliver

    name = f"{before}张\u2028伟{after}"  # always one character that used to crash the run
    cc = {"name": f"李{before}强", "address": f"lq{user}@example.cn", "unit": "erqi-office"}
    messages = [
        plain_message(ZW, name, ZW, f"【测试】{subject}\n{name}", cc),
        plain_message(CJ, "陈静", CJ, "【测试】陈静"),
    ]
    received = len(smtp.received)
    state = Ledger.load(tmp_path_factory.mktemp("state") / "remind-state.json")

    outcome = deliver(messages, [mail_channel(smtp.port)], state)

    mails = smtp.received[received:]
    assert CJ in [mail.to for mail in mails]
    assert len(mails) + len(outcome.failed) == 2
    for mail in mails:
        assert_clean_head(mail)
        assert mail.message["Subject"].startswith("【测试】")
    assert {k for k, _ in outcome.sent} | {m["key"] for m, _, _ in outcome.failed} == {
        m["key"] for m in messages
    }
    reloaded = Ledger.load(state.path)
    assert set(reloaded.pending) == {f"{m['key']}@email" for m, _, _ in outcome.failed}


NON_ASCII_ADDRESS = "张伟@例子.中国"


def test_a_non_ascii_address_fails_alone_on_a_server_without_smtputf8(
    cli: Callable[..., Result],
    make_campaign: Callable[..., Path],
    smtp_servers: Callable[..., SmtpServer],
) -> None:
    """Item 7: the server does not offer SMTPUTF8; only the mails to 张伟 can't go."""
    smtp = smtp_servers(utf8=False)
    folder = make_campaign(
        smtp_table(smtp.port),
        units={
            "410103/erqi-office.toml": ERQI.replace(ZW, NON_ASCII_ADDRESS).replace(
                "{research_title}", "专题调研报告"
            ),
            "410105/jinshui-school.toml": JINSHUI,
        },
    )

    first = cli("remind", folder, "--send", "--lang", "zh", "--format", "json")

    assert first.code == 1, first.err
    # 张伟's own message and the escalation with 张伟 in Cc need SMTPUTF8; the rest arrive.
    assert sorted(m.to for m in smtp.received) == sorted([LQ, CJ])
    failed = {f["key"]: f["error"] for f in json.loads(first.out)["failed"]}
    assert set(failed) == {f"{DAY}/owner/{NON_ASCII_ADDRESS}", KEYS[4]}
    assert all("SMTPUTF8" in error for error in failed.values()), failed

    # Night after night, the others still get theirs.
    later = cli("remind", folder, "--send", "--lang", "zh", "--as-of", NEXT_DAY)
    assert later.code == 1
    assert [m.message["Subject"] for m in smtp.received[2:]] == [NEXT_DAY_CJ_SUBJECT]


def test_after_a_refused_message_the_connection_is_reset_and_used_for_the_next(
    smtp_servers: Callable[..., SmtpServer], tmp_path: Path
) -> None:
    """Item 7: every kind of refusal, in any order, fails one message and not the next."""
    from checklist.remind.ledger import Ledger
    from checklist.remind.send import deliver

    smtp = smtp_servers(utf8=False)

    smtp.handler.refuse_rcpt["bad-rcpt@example.cn"] = "550 5.1.1 no such user"
    smtp.handler.refuse_data["bad-data@example.cn"] = "554 5.6.0 refused"
    addresses = [
        "ok1@example.cn",
        "bad-rcpt@example.cn",
        "ok2@example.cn",
        NON_ASCII_ADDRESS,
        "ok3@example.cn",
        "bad-data@example.cn",
        "ok4@example.cn",
    ]
    messages = [plain_message(a, "某人", a, "【测试】") for a in addresses]

    outcome = deliver(messages, [mail_channel(smtp.port)], Ledger.load(tmp_path / "s.json"))

    assert sorted(m.to for m in smtp.received) == [f"ok{n}@example.cn" for n in range(1, 5)]
    assert sorted(m["recipient"]["address"] for m, _, _ in outcome.failed) == sorted(
        ["bad-rcpt@example.cn", NON_ASCII_ADDRESS, "bad-data@example.cn"]
    )
