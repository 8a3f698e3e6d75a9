"""`checklist remind --send` against real servers on loopback, started and stopped by each test.

An SMTP server (aiosmtpd) and an HTTP server (http.server) run on 127.0.0.1 on a
free port; nothing is mocked. The campaign below is small enough to work its
messages out by hand, from docs/semantics.md#reminders (advance days 7, 3, 1, 0;
overdue on day 1 then every 3 days; escalation from 7 days overdue on the same
cadence). On the report day, 2023-11-20:

- 刘洋 (erqi-office, no address): 商圈提质改造, due 2023-11-21 (in 1 day);
- 张伟 <zw@example.cn>: 读书班结业, due 2023-11-13 (7 days overdue);
- 李强 ([people] lq@example.cn): 专题调研报告, due 2023-11-23 (in 3 days);
- 陈静 <cj@example.cn>: 专题党课, due 2023-11-20 (today);
- 王红 <wh@example.cn>, erqi-office's contact: the escalation about 读书班结业,
  with 张伟 in Cc.

On the next day, 2023-11-21: 刘洋 (due today) and 陈静 (1 day overdue); 张伟's
task is 8 days overdue, off the cadence. On 2023-11-01 nothing is due or overdue.
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Result

DAY = "2023-11-20"
NEXT_DAY = "2023-11-21"
QUIET_DAY = "2023-11-01"

ZW, LQ, CJ, WH = "zw@example.cn", "lq@example.cn", "cj@example.cn", "wh@example.cn"

# --- the campaign -----------------------------------------------------------------------

CAMPAIGN = """\
[campaign]
name = "测试主题教育"
start = 2023-09-09
end = 2024-01-31
timezone = "Asia/Shanghai"

[[counties]]
code = "410103"
name = "二七区"

[[counties]]
code = "410105"
name = "金水区"
"""

ERQI = """\
[unit]
id = "erqi-office"
name = "二七区测试办公室"
county = "410103"
level = "county"
contact = "王红 <wh@example.cn>"

[people]
"李强" = "lq@example.cn"

[study]
owner = "张伟 <zw@example.cn>"

[[study.tasks]]
title = "读书班结业"
due = 2023-11-13

[research]
owner = "李强"

[[research.tasks]]
title = "{research_title}"
due = 2023-11-23

[development]
owner = "刘洋"

[[development.tasks]]
title = "商圈提质改造"
due = 2023-11-21

[rectification]
owner = "王红"

[[rectification.tasks]]
title = "专项整治"
due = 2024-01-31

[institutions]
owner = "王红"

[[institutions.tasks]]
title = "月度考评制度"
due = 2023-10-31
done = 2023-10-30
"""

JINSHUI = """\
[unit]
id = "jinshui-school"
name = "金水区测试学校党委"
county = "410105"
level = "grassroots"
contact = "赵敏 <zm@example.cn>"

[study]
owner = "陈静 <cj@example.cn>"

[[study.tasks]]
title = "专题党课"
due = 2023-11-20

[research]
owner = "赵敏 <zm@example.cn>"
due = 2024-01-31

[[research.tasks]]
title = "调研成果转化"

[development]
owner = "赵敏 <zm@example.cn>"
due = 2024-01-31

[[development.tasks]]
title = "校园安全提升"

[rectification]
owner = "赵敏 <zm@example.cn>"
due = 2024-01-31

[[rectification.tasks]]
title = "食堂问题整改"

[institutions]
owner = "赵敏 <zm@example.cn>"
due = 2024-01-31

[[institutions.tasks]]
title = "家校沟通制度"
"""

SIGNATURE = "—— 测试主题教育(checklist 自动发送)"

# What each delivered e-mail says on 2023-11-20, worked out by hand: address -> (subject, body).
EXPECTED = {
    ZW: (
        "【测试主题教育】张伟:逾期 1 项,即将到期 0 项(2023-11-20)",
        "张伟同志:\n\n截至 2023-11-20,您负责的以下任务已逾期或即将到期:\n\n"
        "已逾期\n  - [逾期 7 天] 二七区测试办公室 · 理论学习 · 读书班结业 (截止 2023-11-13)\n\n"
        f"{SIGNATURE}\n",
    ),
    LQ: (
        "【测试主题教育】李强:逾期 0 项,即将到期 1 项(2023-11-20)",
        "李强同志:\n\n截至 2023-11-20,您负责的以下任务已逾期或即将到期:\n\n"
        "即将到期\n"
        "  - [3 天后到期] 二七区测试办公室 · 调查研究 · 专题调研报告 (截止 2023-11-23)\n\n"
        f"{SIGNATURE}\n",
    ),
    CJ: (
        "【测试主题教育】陈静:逾期 0 项,即将到期 1 项(2023-11-20)",
        "陈静同志:\n\n截至 2023-11-20,您负责的以下任务已逾期或即将到期:\n\n"
        "即将到期\n  - [今天到期] 金水区测试学校党委 · 理论学习 · 专题党课 (截止 2023-11-20)\n\n"
        f"{SIGNATURE}\n",
    ),
    WH: (
        "【测试主题教育】督办:二七区测试办公室 有 1 项任务逾期 7 天以上(2023-11-20)",
        "王红同志:\n\n截至 2023-11-20,二七区测试办公室 有 1 项任务逾期 7 天以上:\n\n"
        "  - [逾期 7 天] 二七区测试办公室 · 理论学习 · 读书班结业 (截止 2023-11-13)"
        " · 责任人: 张伟\n\n"
        f"{SIGNATURE}\n",
    ),
}
NO_ADDRESS_SUBJECT = "【测试主题教育】刘洋:逾期 0 项,即将到期 1 项(2023-11-20)"
NEXT_DAY_CJ_SUBJECT = "【测试主题教育】陈静:逾期 1 项,即将到期 0 项(2023-11-21)"

# The message keys of the night, in the order remind plans them.
KEYS = [
    f"{DAY}/owner/erqi-office/刘洋",
    f"{DAY}/owner/{ZW}",
    f"{DAY}/owner/{LQ}",
    f"{DAY}/owner/{CJ}",
    f"{DAY}/escalation/erqi-office/{WH}",
]


def smtp_table(port: int, extra: str = "") -> str:
    return (
        f'\n[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
        f'sender = "主题教育办 <office@example.cn>"\ntimeout = 5\n{extra}'
    )


def webhook_table(url: str, form: str = "generic", timeout: int = 2, extra: str = "") -> str:
    return f'\n[webhook]\nurl = "{url}"\nformat = "{form}"\ntimeout = {timeout}\n{extra}'


@pytest.fixture
def make_campaign(tmp_path: Path) -> Callable[..., Path]:
    """make(*tables, research_title=…, units=None) writes the campaign; returns its folder."""

    def make(*tables: str, research_title: str = "专题调研报告", units: dict | None = None) -> Path:
        folder = tmp_path / "campaign"
        folder.mkdir(exist_ok=True)
        (folder / "campaign.toml").write_text(CAMPAIGN + "".join(tables), encoding="utf-8")
        if units is None:
            units = {
                "410103/erqi-office.toml": ERQI.replace("{research_title}", research_title),
                "410105/jinshui-school.toml": JINSHUI,
            }
        for name, text in units.items():
            path = folder / "units" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return folder

    return make


def state_of(folder: Path) -> dict[str, Any]:
    return json.loads((folder / ".checklist" / "remind-state.json").read_text(encoding="utf-8"))


def recorded(folder: Path) -> Any:
    """The state as the next run reads it: the state file and its journal."""
    from checklist.remind.deliver import State

    return State.load(folder / ".checklist" / "remind-state.json")


def leftovers(folder: Path) -> list[str]:
    """Temporary files an interrupted atomic write would leave behind."""
    return [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


def timed(cli: Callable[..., Result], *args: str | Path) -> tuple[Result, float]:
    start = time.monotonic()
    result = cli(*args)
    return result, time.monotonic() - start


@pytest.fixture(autouse=True)
def _no_secrets(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("CHECKLIST_SMTP_PASSWORD", "CHECKLIST_WEBHOOK_URL", "NOPE", "CHECKLIST_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # the state file must not depend on the working directory


# --- the SMTP server ------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Mail:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed

    @property
    def to(self) -> str:
        (address,) = self.message["To"].addresses
        return address.addr_spec


@dataclass
class Recorder:
    """An aiosmtpd handler that keeps every message; it can refuse, drop or hold chosen ones."""

    received: list[Mail] = field(default_factory=list)
    refuse_rcpt: dict[str, str] = field(default_factory=dict)  # address -> reply to RCPT
    refuse_data: dict[str, str] = field(default_factory=dict)  # address -> reply to DATA
    drop: set[str] = field(default_factory=set)  # close the connection at DATA
    delay: float = 0.0  # seconds before answering DATA
    hold: str | None = None  # keep this one, then do not answer until released
    held: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address.lower() in self.refuse_rcpt:
            return self.refuse_rcpt[address.lower()]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        recipients = {a.lower() for a in envelope.rcpt_tos}
        for address, reply in self.refuse_data.items():
            if address in recipients:
                return reply
        if recipients & self.drop:
            server.transport.close()
            return "421 4.3.2 going away"
        self.received.append(
            Mail(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.original_content))
        )
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.hold in recipients:
            self.held.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 30)
        return "250 OK"


class SmtpServer:
    def __init__(self, port: int | None = None, *, utf8: bool = True) -> None:
        self.port = port or free_port()
        self.utf8 = utf8  # whether it offers SMTPUTF8 (non-ASCII addresses)
        self.handler = Recorder()
        self.controller: Controller | None = None

    @property
    def received(self) -> list[Mail]:
        return self.handler.received

    def start(self) -> SmtpServer:
        self.controller = Controller(
            self.handler,
            hostname="127.0.0.1",
            port=self.port,
            ready_timeout=5,
            enable_SMTPUTF8=self.utf8,
        )
        self.controller.start()
        return self

    def stop(self) -> None:
        self.handler.release.set()
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def smtp_servers() -> Iterator[Callable[..., SmtpServer]]:
    """start(port=None, utf8=True): more SMTP servers, all stopped at the end."""
    started: list[SmtpServer] = []

    def start(port: int | None = None, *, utf8: bool = True) -> SmtpServer:
        server = SmtpServer(port, utf8=utf8).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def by_recipient(mails: list[Mail]) -> dict[str, Mail]:
    found = {mail.to: mail for mail in mails}
    assert len(found) == len(mails), f"a recipient got two messages: {[m.to for m in mails]}"
    return found


# --- the HTTP server ------------------------------------------------------------------


@dataclass
class Post:
    path: str
    headers: dict[str, str]
    body: Any
    behaviour: str


class Hook:
    """A webhook endpoint; ``behaviour`` is "ok", "500", "errcode", "slow" or "redirect-3xx".

    A redirect points to /moved on the same server, which answers any GET with 200.
    """

    def __init__(self) -> None:
        self.behaviour = "ok"
        self.posts: list[Post] = []
        self.wake = threading.Event()
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                behaviour = hook.behaviour
                try:
                    body = json.loads(raw.decode("utf-8"))
                except ValueError:
                    body = raw
                hook.posts.append(Post(self.path, dict(self.headers.items()), body, behaviour))
                with contextlib.suppress(OSError):
                    if behaviour == "slow":
                        hook.wake.wait(10)  # well past the configured timeout
                        self.answer(200, {"errcode": 0, "errmsg": "ok"})
                    elif behaviour == "500":
                        self.answer(500, {"errcode": -1, "errmsg": "system busy"})
                    elif behaviour == "errcode":
                        self.answer(200, {"errcode": 93000, "errmsg": "invalid webhook url"})
                    elif behaviour.startswith("redirect-"):
                        self.send_response(int(behaviour.removeprefix("redirect-")))
                        self.send_header("Location", hook.url.replace("/hook", "/moved"))
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                    else:
                        self.answer(200, {"errcode": 0, "errmsg": "ok"})

            def do_GET(self) -> None:
                hook.posts.append(Post(self.path, dict(self.headers.items()), None, "GET"))
                with contextlib.suppress(OSError):
                    self.answer(200, {"errcode": 0, "errmsg": "ok"})

            def answer(self, status: int, document: dict[str, Any]) -> None:
                data = json.dumps(document).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/hook"

    def stop(self) -> None:
        self.wake.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def hook() -> Iterator[Hook]:
    server = Hook()
    yield server
    server.stop()


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


# --- 4: one failure halfway -------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "reply"),
    [
        ("rcpt", "451 4.3.0 Temporary failure, try again later"),
        ("rcpt", "550 5.1.1 Mailbox unavailable"),
        ("data", "451 4.3.0 Temporary failure, try again later"),
        ("data", "554 5.6.0 Message refused"),
        # smtplib closes the connection after a 421: the next message opens a new one.
        ("rcpt", "421 4.3.2 Service shutting down"),
        ("data", "421 4.3.2 Service shutting down"),
    ],
)
def test_a_message_refused_halfway_is_the_only_one_sent_next_time(
    cli: Callable[..., Result],
    make_campaign: Callable[..., Path],
    smtp: SmtpServer,
    where: str,
    reply: str,
) -> None:
    folder = make_campaign(smtp_table(smtp.port))
    refusals = smtp.handler.refuse_rcpt if where == "rcpt" else smtp.handler.refuse_data
    refusals[LQ] = reply  # 李强 is the second message with an address

    first = cli("remind", folder, "--send", "--lang", "zh")

    assert first.code == 1
    assert sorted(by_recipient(smtp.received)) == sorted([ZW, CJ, WH])
    assert "无法送达(2):" in first.err
    assert "李强" in first.err
    assert reply.split(maxsplit=1)[0] in first.err
    state = state_of(folder)
    assert sorted(state["delivered"]) == sorted(f"{k}@email" for k in KEYS[1:] if LQ not in k)
    assert list(state["pending"]) == [f"{KEYS[2]}@email"]

    refusals.clear()
    second = cli("remind", folder, "--send", "--lang", "zh")

    assert second.code == 1  # 刘洋 only
    assert "无法送达(1):" in second.err
    assert "李强" not in second.err
    mails = smtp.received[3:]
    assert [m.to for m in mails] == [LQ]
    assert mails[0].message["Subject"] == EXPECTED[LQ][0]
    assert mails[0].message.get_content() == EXPECTED[LQ][1]
    assert state_of(folder)["pending"] == {}


def test_a_message_the_server_refuses_does_not_hold_up_the_others_the_next_night(
    cli: Callable[..., Result],
    make_campaign: Callable[..., Path],
    smtp: SmtpServer,
) -> None:
    """A message refused at DATA (554, say for its content) must not fail everyone after it.

    It stays pending and is retried first on every run for 14 days; the others, and the
    next nights' messages, must still get through.
    """
    folder = make_campaign(smtp_table(smtp.port))
    smtp.handler.refuse_data[LQ] = "554 5.6.0 Message refused"
    cli("remind", folder, "--send", "--lang", "zh", "--as-of", DAY)

    result = cli("remind", folder, "--send", "--lang", "zh", "--as-of", NEXT_DAY)

    assert result.code == 1
    assert Counter(m.message["Subject"] for m in smtp.received) == Counter(
        [EXPECTED[ZW][0], EXPECTED[CJ][0], EXPECTED[WH][0], NEXT_DAY_CJ_SUBJECT]
    )
    assert list(state_of(folder)["pending"]) == [f"{KEYS[2]}@email"]


def test_a_connection_dropped_halfway_loses_nothing(
    cli: Callable[..., Result], make_campaign: Callable[..., Path], smtp: SmtpServer
) -> None:
    folder = make_campaign(smtp_table(smtp.port))
    smtp.handler.drop.add(LQ)

    first, seconds = timed(cli, "remind", folder, "--send", "--lang", "zh")

    assert first.code == 1
    assert seconds < 15
    before = {m.to for m in smtp.received}
    assert ZW in before
    assert LQ not in before
    smtp.handler.drop.clear()
    second = cli("remind", folder, "--send", "--lang", "zh")
    assert second.code == 1
    assert sorted(m.to for m in smtp.received) == sorted([ZW, LQ, CJ, WH])


def test_a_crash_halfway_repeats_at_most_the_message_in_flight(
    make_campaign: Callable[..., Path], smtp: SmtpServer, cli: Callable[..., Result]
) -> None:
    """Kill -9 the process while the server holds 李强's message unanswered."""
    folder = make_campaign(smtp_table(smtp.port))
    smtp.handler.hold = LQ
    env = {**os.environ, "CHECKLIST_AS_OF": DAY}
    process = subprocess.Popen(
        [sys.executable, "-m", "checklist", "remind", str(folder), "--send", "--lang", "zh"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert smtp.handler.held.wait(20), "the run never reached the second message"
    finally:
        process.kill()
        process.wait(10)
    smtp.handler.release.set()
    assert [m.to for m in smtp.received] == [ZW, LQ]  # 李强's arrived, but was never answered
    assert list(recorded(folder).delivered) == [f"{KEYS[1]}@email"]
    assert not leftovers(folder / ".checklist")

    smtp.handler.hold = None
    again = cli("remind", folder, "--send", "--lang", "zh")

    assert again.code == 1  # 刘洋 only
    assert [m.to for m in smtp.received[2:]] == [LQ, CJ, WH]  # 张伟 not again
    assert Counter(m.to for m in smtp.received) == {ZW: 1, LQ: 2, CJ: 1, WH: 1}


# --- 5: generic webhook -------------------------------------------------------------------


def test_webhook_generic_posts_each_message_as_json(
    cli: Callable[..., Result], make_campaign: Callable[..., Path], hook: Hook
) -> None:
    folder = make_campaign(webhook_table(hook.url))

    result = cli("remind", folder, "--send", "--lang", "zh")

    assert result.code == 0, result.err  # a webhook needs no address: 刘洋 gets his too
    assert result.out == result.err == ""
    assert len(hook.posts) == 5
    for post in hook.posts:
        assert post.path == "/hook"
        assert post.headers["Content-Type"].split(";")[0] == "application/json"
    posts = {post.body["key"]: post.body for post in hook.posts}
    assert sorted(posts) == sorted(KEYS)
    zhang = posts[KEYS[1]]
    assert zhang["subject"] == EXPECTED[ZW][0]
    assert zhang["body"] == EXPECTED[ZW][1]
    assert zhang["kind"] == "owner"
    assert zhang["recipient"] == {"name": "张伟", "address": ZW, "unit": "erqi-office"}
    assert zhang["cc"] == []
    (task,) = zhang["tasks"]
    assert {k: task[k] for k in ("title", "due", "state", "days_overdue")} == {
        "title": "读书班结业",
        "due": "2023-11-13",
        "state": "overdue",
        "days_overdue": 7,
    }
    (task,) = posts[KEYS[2]]["tasks"]
    assert {k: task[k] for k in ("title", "due", "state", "days_overdue")} == {
        "title": "专题调研报告",
        "due": "2023-11-23",
        "state": "due_soon",
        "days_overdue": None,
    }
    liu = posts[KEYS[0]]
    assert liu["recipient"] == {"name": "刘洋", "address": None, "unit": "erqi-office"}
    assert liu["subject"] == NO_ADDRESS_SUBJECT
    escalation = posts[KEYS[4]]
    assert escalation["kind"] == "escalation"
    assert escalation["recipient"]["address"] == WH
    assert [p["address"] for p in escalation["cc"]] == [ZW]
    assert escalation["subject"] == EXPECTED[WH][0]
    assert escalation["body"] == EXPECTED[WH][1]

    again = cli("remind", folder, "--send", "--lang", "zh")
    assert again.code == 0
    assert len(hook.posts) == 5


def test_webhook_500_fails_and_is_retried_on_the_next_run(
    cli: Callable[..., Result], make_campaign: Callable[..., Path], hook: Hook
) -> None:
    folder = make_campaign(webhook_table(hook.url))
    hook.behaviour = "500"

    failed = cli("remind", folder, "--send", "--lang", "zh")

    assert failed.code == 1
    assert "无法送达(5):" in failed.err
    assert "500" in failed.err
    assert state_of(folder)["delivered"] == {}
    assert len(state_of(folder)["pending"]) == 5

    hook.behaviour = "ok"
    retried = cli("remind", folder, "--send", "--lang", "zh")

    assert retried.code == 0, retried.err
    ok = [p.body["key"] for p in hook.posts if p.behaviour == "ok"]
    assert sorted(ok) == sorted(KEYS)
    assert state_of(folder)["pending"] == {}
    cli("remind", folder, "--send", "--lang", "zh")
    assert len([p for p in hook.posts if p.behaviour == "ok"]) == 5


def test_webhook_slower_than_its_timeout_fails_quickly_and_is_retried(
    cli: Callable[..., Result], make_campaign: Callable[..., Path], hook: Hook
) -> None:
    folder = make_campaign(webhook_table(hook.url, timeout=1))
    hook.behaviour = "slow"

    failed, seconds = timed(cli, "remind", folder, "--send", "--lang", "zh")

    assert failed.code == 1
    assert seconds < 15
    assert "无法送达(5):" in failed.err
    assert state_of(folder)["delivered"] == {}

    hook.behaviour = "ok"
    hook.wake.set()
    retried = cli("remind", folder, "--send", "--lang", "zh")

    assert retried.code == 0, retried.err
    ok = [p.body["key"] for p in hook.posts if p.behaviour == "ok"]
    assert sorted(ok) == sorted(KEYS)


# --- 6: robots ------------------------------------------------------------------------

HOSTILE = "**粗体** <b>x</b> [链接](http://evil)"


def assert_escaped(markdown: str) -> None:
    assert "<b>" not in markdown
    assert "</b>" not in markdown
    assert "**粗体**" not in markdown
    assert "\\*\\*粗体\\*\\*" in markdown
    assert "\\[链接\\](http://evil)" in markdown
    # Apart from the heading, no markdown or HTML character stands unescaped.
    assert not re.search(r"(?<!\\)[*_\[\]<>`|]", markdown), markdown


def test_wecom_robot_gets_markdown_with_text_from_files_escaped(
    cli: Callable[..., Result], make_campaign: Callable[..., Path], hook: Hook
) -> None:
    folder = make_campaign(webhook_table(hook.url, "wecom"), research_title=HOSTILE)

    result = cli("remind", folder, "--send", "--lang", "zh")

    assert result.code == 0, result.err
    assert len(hook.posts) == 5
    for post in hook.posts:
        assert post.headers["Content-Type"].split(";")[0] == "application/json"
        assert post.body.keys() == {"msgtype", "markdown"}
        assert post.body["msgtype"] == "markdown"
        assert post.body["markdown"].keys() == {"content"}
        assert len(post.body["markdown"]["content"].encode()) <= 4096
    contents = [post.body["markdown"]["content"] for post in hook.posts]
    (li,) = [c for c in contents if "李强同志" in c]
    assert li.startswith("### ")
    assert "截止 2023-11-23" in li
    assert_escaped(li)


def test_dingtalk_robot_gets_markdown_with_a_title_and_text_from_files_escaped(
    cli: Callable[..., Result], make_campaign: Callable[..., Path], hook: Hook
) -> None:
    folder = make_campaign(webhook_table(hook.url, "dingtalk"), research_title=HOSTILE)

    result = cli("remind", folder, "--send", "--lang", "zh")

    assert result.code == 0, result.err
    assert len(hook.posts) == 5
    for post in hook.posts:
        assert post.body.keys() == {"msgtype", "markdown"}
        assert post.body["msgtype"] == "markdown"
        assert post.body["markdown"].keys() == {"title", "text"}
    (li,) = [p.body["markdown"] for p in hook.posts if "李强同志" in p.body["markdown"]["text"]]
    assert li["title"] == "【测试主题教育】李强:逾期 0 项,即将到期 1 项(2023-11-20)"
    assert_escaped(li["text"])
    titles = sorted(p.body["markdown"]["title"] for p in hook.posts)
    assert titles == sorted([*(s for s, _ in EXPECTED.values()), NO_ADDRESS_SUBJECT])


@pytest.mark.parametrize("form", ["wecom", "dingtalk"])
def test_robot_errcode_counts_as_failed_and_is_retried(
    cli: Callable[..., Result], make_campaign: Callable[..., Path], hook: Hook, form: str
) -> None:
    folder = make_campaign(webhook_table(hook.url, form))
    hook.behaviour = "errcode"

    failed = cli("remind", folder, "--send", "--lang", "zh")

    assert failed.code == 1
    assert "无法送达(5):" in failed.err
    assert "invalid webhook url" in failed.err
    assert state_of(folder)["delivered"] == {}

    hook.behaviour = "ok"
    retried = cli("remind", folder, "--send", "--lang", "zh")
    assert retried.code == 0, retried.err
    assert len([p for p in hook.posts if p.behaviour == "ok"]) == 5
    cli("remind", folder, "--send", "--lang", "zh")
    assert len([p for p in hook.posts if p.behaviour == "ok"]) == 5


# --- both channels ----------------------------------------------------------------------


def test_each_channel_remembers_its_own_deliveries(
    cli: Callable[..., Result],
    make_campaign: Callable[..., Path],
    smtp_servers: Callable[..., SmtpServer],
    hook: Hook,
) -> None:
    down = smtp_servers()
    down.stop()
    folder = make_campaign(smtp_table(down.port), webhook_table(hook.url))

    first = cli("remind", folder, "--send", "--lang", "zh")

    assert first.code == 1
    assert len(hook.posts) == 5  # the webhook is not held up by the mail server
    up = smtp_servers(down.port)
    second = cli("remind", folder, "--send", "--lang", "zh")
    assert second.code == 1  # 刘洋 has no address
    assert sorted(m.to for m in up.received) == sorted([ZW, LQ, CJ, WH])
    assert len(hook.posts) == 5


def test_a_message_pending_on_two_channels_is_retried_once_on_each(
    cli: Callable[..., Result],
    make_campaign: Callable[..., Path],
    smtp_servers: Callable[..., SmtpServer],
    hook: Hook,
) -> None:
    down = smtp_servers()
    down.stop()
    folder = make_campaign(smtp_table(down.port), webhook_table(hook.url))
    hook.behaviour = "500"
    assert cli("remind", folder, "--send", "--lang", "zh", "--as-of", DAY).code == 1
    assert len(hook.posts) == 5

    # The next day, both are still failing: each pending message is tried once per channel.
    result = cli(
        "remind", folder, "--send", "--lang", "zh", "--as-of", NEXT_DAY, "--format", "json"
    )

    assert result.code == 1
    tried = Counter(p.body["key"] for p in hook.posts[5:])
    assert tried == Counter([*KEYS, f"{NEXT_DAY}/owner/erqi-office/刘洋", f"{NEXT_DAY}/owner/{CJ}"])
    failed = Counter((f["key"], f["channel"]) for f in json.loads(result.out)["failed"])
    assert all(n == 1 for n in failed.values()), failed

    # And once both work again, everything arrives once, and nothing counts as skipped.
    up = smtp_servers(down.port)
    hook.behaviour = "ok"
    done = cli("remind", folder, "--send", "--lang", "zh", "--as-of", NEXT_DAY, "--format", "json")
    document = json.loads(done.out)
    assert Counter(m.message["Subject"] for m in up.received) == Counter(
        [*(s for s, _ in EXPECTED.values()), NEXT_DAY_CJ_SUBJECT]
    )
    ok = Counter(p.body["key"] for p in hook.posts if p.behaviour == "ok")
    assert ok == Counter([*KEYS, f"{NEXT_DAY}/owner/erqi-office/刘洋", f"{NEXT_DAY}/owner/{CJ}"])
    assert document["skipped"] == 0


def test_a_message_pending_on_a_channel_no_longer_configured_does_not_stop_the_others(
    cli: Callable[..., Result],
    make_campaign: Callable[..., Path],
    smtp: SmtpServer,
    hook: Hook,
) -> None:
    folder = make_campaign(webhook_table(hook.url))
    hook.behaviour = "500"
    assert cli("remind", folder, "--send", "--lang", "zh", "--as-of", DAY).code == 1
    # The office gives up on the robot and switches to e-mail.
    make_campaign(smtp_table(smtp.port))

    result = cli("remind", folder, "--send", "--lang", "zh", "--as-of", NEXT_DAY)

    assert "internal error" not in result.err
    assert result.code == 1  # 刘洋 has no address
    assert [m.message["Subject"] for m in smtp.received] == [NEXT_DAY_CJ_SUBJECT]


# --- 7: configuration errors ------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "says"),
    [
        ("user-without-password", "CHECKLIST_SMTP_PASSWORD"),
        ("no-channel", "--send needs an [smtp] or a [webhook]"),
        ("ftp-url", "ftp://x"),
        ("url-env-unset", "NOPE"),
        ("ca-file-missing", "ca_file"),
    ],
)
@pytest.mark.parametrize("dry_run", [False, True], ids=["send", "dry-run"])
def test_configuration_errors_exit_2_and_send_nothing(
    cli: Callable[..., Result],
    make_campaign: Callable[..., Path],
    smtp: SmtpServer,
    hook: Hook,
    case: str,
    says: str,
    dry_run: bool,
) -> None:
    tables = {
        "user-without-password": (smtp_table(smtp.port, 'user = "u"\n'), webhook_table(hook.url)),
        "no-channel": (),
        "ftp-url": (smtp_table(smtp.port), webhook_table("ftp://x")),
        "url-env-unset": (
            smtp_table(smtp.port),
            '\n[webhook]\nurl_env = "NOPE"\nformat = "generic"\ntimeout = 2\n',
        ),
        "ca-file-missing": (
            smtp_table(smtp.port, 'ca_file = "certs/nope.pem"\n'),
            webhook_table(hook.url),
        ),
    }[case]
    folder = make_campaign(*tables)

    result = cli("remind", folder, "--send", "--lang", "zh", *(["--dry-run"] if dry_run else []))

    assert result.code == 2, result.err
    assert says in result.err
    assert "Traceback" not in result.err
    assert smtp.received == []
    assert hook.posts == []
    assert not (folder / ".checklist" / "remind-state.json").exists()


def test_a_corrupt_state_file_is_refused_and_nothing_is_sent(
    cli: Callable[..., Result],
    make_campaign: Callable[..., Path],
    smtp: SmtpServer,
    hook: Hook,
    tmp_path: Path,
) -> None:
    folder = make_campaign(smtp_table(smtp.port), webhook_table(hook.url))
    state = tmp_path / "state.json"
    state.write_text("not json", encoding="utf-8")

    result = cli("remind", folder, "--send", "--lang", "zh", "--state", state)

    assert result.code == 2
    assert "move it away" in result.err
    assert str(state) in result.err
    assert smtp.received == []
    assert hook.posts == []
    assert state.read_text(encoding="utf-8") == "not json"


# --- 8: printing instead of sending -------------------------------------------------------


def test_dry_run_prints_the_messages_and_sends_and_records_nothing(
    cli: Callable[..., Result],
    make_campaign: Callable[..., Path],
    smtp: SmtpServer,
    hook: Hook,
) -> None:
    folder = make_campaign(smtp_table(smtp.port), webhook_table(hook.url))

    result = cli("remind", folder, "--send", "--dry-run", "--lang", "zh")

    assert result.code == 0, result.err
    assert smtp.received == []
    assert hook.posts == []
    assert not (folder / ".checklist").exists()
    assert "To: 张伟 <zw@example.cn>" in result.out
    assert "To: 刘洋 (erqi-office, no address)" in result.out
    assert "To: 王红 <wh@example.cn>\nCc: 张伟 <zw@example.cn>\n" in result.out
    for subject, body in EXPECTED.values():
        assert f"Subject: {subject}\n\n{body}" in result.out
    assert result.out.count("Subject: ") == 5


def test_format_json_prints_the_planned_messages(
    cli: Callable[..., Result], make_campaign: Callable[..., Path]
) -> None:
    folder = make_campaign()

    result = cli("remind", folder, "--format", "json", "--lang", "zh")

    assert result.code == 0, result.err
    document = json.loads(result.out)
    assert document["schema_version"] == 1
    assert document["as_of"] == DAY
    messages = document["messages"]
    assert [m["key"] for m in messages] == KEYS
    for message in messages:
        assert {"key", "kind", "recipient", "cc", "subject", "body", "tasks"} <= message.keys()
    assert [m["kind"] for m in messages] == ["owner"] * 4 + ["escalation"]
    assert [m["recipient"]["name"] for m in messages] == ["刘洋", "张伟", "李强", "陈静", "王红"]
    assert messages[4]["cc"] == [{"name": "张伟", "address": ZW, "unit": "erqi-office"}]
    assert {m["recipient"]["address"]: (m["subject"], m["body"]) for m in messages[1:]} == EXPECTED
    assert not (folder / ".checklist").exists()


@pytest.mark.parametrize("send", [False, True], ids=["print", "send"])
def test_a_quiet_night_prints_nothing_and_exits_0(
    cli: Callable[..., Result],
    make_campaign: Callable[..., Path],
    smtp: SmtpServer,
    hook: Hook,
    send: bool,
) -> None:
    folder = make_campaign(smtp_table(smtp.port), webhook_table(hook.url))

    result = cli("remind", folder, "--as-of", QUIET_DAY, "--lang", "zh", *(["--send"] * send))

    assert result == (0, "", "")
    assert smtp.received == []
    assert hook.posts == []


# --- 9: the state file ------------------------------------------------------------------


def test_the_state_file_is_written_atomically_in_the_campaign_folder(
    cli: Callable[..., Result],
    make_campaign: Callable[..., Path],
    smtp: SmtpServer,
    hook: Hook,
    tmp_path: Path,
) -> None:
    folder = make_campaign(smtp_table(smtp.port), webhook_table(hook.url))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.chdir(elsewhere)

    assert cli("remind", folder, "--send", "--lang", "zh").code == 1

    path = folder / ".checklist" / "remind-state.json"
    state = json.loads(path.read_text(encoding="utf-8"))
    assert state["version"] == 1
    expected = {f"{k}@email" for k in KEYS[1:]} | {f"{k}@webhook" for k in KEYS}
    assert set(state["delivered"]) == expected
    assert state["pending"] == {}
    assert not leftovers(path.parent)
    assert not (elsewhere / ".checklist").exists()


def test_state_option_puts_the_state_file_where_it_says(
    cli: Callable[..., Result], make_campaign: Callable[..., Path], hook: Hook, tmp_path: Path
) -> None:
    folder = make_campaign(webhook_table(hook.url))
    path = tmp_path / "var" / "state.json"

    assert cli("remind", folder, "--send", "--state", path, "--lang", "zh").code == 0

    state = json.loads(path.read_text(encoding="utf-8"))
    assert state["version"] == 1
    assert set(state["delivered"]) == {f"{k}@webhook" for k in KEYS}
    assert not leftovers(path.parent)
    assert not (folder / ".checklist" / "remind-state.json").exists()
    assert cli("remind", folder, "--send", "--state", path, "--lang", "zh").code == 0
    assert len(hook.posts) == 5


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
    from checklist.remind.deliver import Email

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
    from checklist.remind.deliver import State, deliver

    name = f"{before}张\u2028伟{after}"  # always one character that used to crash the run
    cc = {"name": f"李{before}强", "address": f"lq{user}@example.cn", "unit": "erqi-office"}
    messages = [
        plain_message(ZW, name, ZW, f"【测试】{subject}\n{name}", cc),
        plain_message(CJ, "陈静", CJ, "【测试】陈静"),
    ]
    received = len(smtp.received)
    state = State.load(tmp_path_factory.mktemp("state") / "remind-state.json")

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
    reloaded = State.load(state.path)
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
    from checklist.remind.deliver import State, deliver

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

    outcome = deliver(messages, [mail_channel(smtp.port)], State.load(tmp_path / "s.json"))

    assert sorted(m.to for m in smtp.received) == [f"ok{n}@example.cn" for n in range(1, 5)]
    assert sorted(m["recipient"]["address"] for m, _, _ in outcome.failed) == sorted(
        ["bad-rcpt@example.cn", NON_ASCII_ADDRESS, "bad-data@example.cn"]
    )


# --- item 8: a state that cannot be written ----------------------------------------------------


def remind_limited(folder: Path, file_size: int, *args: str) -> subprocess.CompletedProcess[str]:
    """Run remind --send with files limited to ``file_size`` bytes: a disk that is full."""
    code = (
        "import resource, signal, sys\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        f"resource.setrlimit(resource.RLIMIT_FSIZE, ({file_size}, {file_size}))\n"
        "from checklist.cli.app import run\n"
        "sys.exit(run(sys.argv[1:]))\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code, "remind", str(folder), "--send", "--lang", "zh", *args],
        env={**os.environ, "CHECKLIST_AS_OF": DAY},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_state_that_cannot_be_written_stops_the_run_before_anything_is_sent(
    cli: Callable[..., Result], make_campaign: Callable[..., Path], smtp: SmtpServer
) -> None:
    """Item 8: a full disk used to send the same first message on every run, then exit 3."""
    folder = make_campaign(smtp_table(smtp.port))
    smtp.handler.refuse_rcpt[LQ] = "451 4.3.0 try again later"
    assert cli("remind", folder, "--send", "--lang", "zh").code == 1  # 李强's stays pending
    before = state_of(folder)
    smtp.handler.refuse_rcpt.clear()
    size = (folder / ".checklist" / "remind-state.json").stat().st_size

    for _ in range(2):
        result = remind_limited(folder, size // 2, "--no-cache")
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        assert "remind-state.json" in result.stderr
        assert "nothing was sent" in result.stderr
    assert len(smtp.received) == 3  # 李强's was not sent again and again
    assert state_of(folder) == before


def test_a_state_folder_that_is_a_file_is_exit_2_and_nothing_is_sent(
    cli: Callable[..., Result], make_campaign: Callable[..., Path], smtp: SmtpServer
) -> None:
    folder = make_campaign(smtp_table(smtp.port))
    (folder / ".checklist").write_text("", encoding="utf-8")

    result = cli("remind", folder, "--send", "--lang", "zh")

    assert result.code == 2, result.err
    assert ".checklist" in result.err
    assert "nothing was sent" in result.err
    assert smtp.received == []


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/full"])
def test_a_journal_that_is_a_device_is_refused_and_nothing_is_sent(
    cli: Callable[..., Result], make_campaign: Callable[..., Path], smtp: SmtpServer, device: str
) -> None:
    folder = make_campaign(smtp_table(smtp.port))
    (folder / ".checklist").mkdir()
    (folder / ".checklist" / "remind-state.json.journal").symlink_to(device)

    result = cli("remind", folder, "--send", "--lang", "zh")

    assert result.code == 2, result.err
    assert "remind-state.json.journal is not a file" in result.err
    assert smtp.received == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_state_folder_is_exit_2_and_nothing_is_sent(
    cli: Callable[..., Result], make_campaign: Callable[..., Path], smtp: SmtpServer
) -> None:
    folder = make_campaign(smtp_table(smtp.port))
    assert cli("remind", folder, "--send", "--lang", "zh", "--as-of", QUIET_DAY).code == 0
    (folder / ".checklist").chmod(0o555)
    try:
        result = cli("remind", folder, "--send", "--lang", "zh")
    finally:
        (folder / ".checklist").chmod(0o755)

    assert result.code == 2, result.err
    assert "nothing was sent" in result.err
    assert smtp.received == []


def test_a_disk_that_fills_up_halfway_stops_sending_and_the_next_run_repeats_at_most_one(
    make_campaign: Callable[..., Path], smtp: SmtpServer, hook: Hook
) -> None:
    """Item 8: the state grows past the limit after a few messages: stop, lose nothing."""
    folder = make_campaign(smtp_table(smtp.port), webhook_table(hook.url))

    stopped = remind_limited(folder, 500, "--no-cache")

    assert stopped.returncode == 2, stopped.stderr
    assert "Traceback" not in stopped.stderr
    assert "stopped sending" in stopped.stderr
    sent_before = len(smtp.received) + len(hook.posts)
    assert 0 < sent_before < 9  # 4 mails and 5 posts in all

    again = remind_limited(folder, 10**7, "--no-cache")

    assert again.returncode == 1, again.stderr  # 刘洋 has no address
    mails = Counter(m.to for m in smtp.received)
    posts = Counter(p.body["key"] for p in hook.posts)
    assert set(mails) == {ZW, LQ, CJ, WH}
    assert set(posts) == set(KEYS)
    assert sum(mails.values()) + sum(posts.values()) <= 9 + 1


# --- item 9: redirects ----------------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_webhook_redirect_is_never_followed_and_fails_naming_the_new_location(
    cli: Callable[..., Result], make_campaign: Callable[..., Path], hook: Hook, status: int
) -> None:
    folder = make_campaign(webhook_table(hook.url))
    hook.behaviour = f"redirect-{status}"

    result = cli("remind", folder, "--send", "--lang", "zh")

    assert result.code == 1, result.err
    assert [p.path for p in hook.posts] == ["/hook"] * 5  # no GET, nothing sent on
    assert f"HTTP {status}" in result.err
    assert hook.url.replace("/hook", "/moved") in result.err
    assert state_of(folder)["delivered"] == {}
    assert len(state_of(folder)["pending"]) == 5


# --- item 10: a deadline per message ---------------------------------------------------------


class Dribbler:
    """A server on loopback that speaks SMTP or HTTP, but says one part a byte a second."""

    def __init__(self, speaks: str, slow: str) -> None:
        self.speaks, self.slow = speaks, slow
        self.stop = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        while not self.stop.is_set():
            try:
                connection, _ = self.listener.accept()
            except TimeoutError:
                continue
            talk = self.smtp if self.speaks == "smtp" else self.http
            threading.Thread(target=self.talk, args=(talk, connection), daemon=True).start()

    def talk(self, talk: Callable[..., None], connection: socket.socket) -> None:
        with contextlib.suppress(OSError), connection, connection.makefile("rb") as reader:
            talk(connection, reader)

    def say(self, connection: socket.socket, text: bytes, part: str) -> None:
        if part != self.slow:
            connection.sendall(text)
            return
        for byte in text:  # at most ~30 s, then the test is over anyway
            connection.sendall(bytes([byte]))
            if self.stop.wait(1):
                return

    def smtp(self, connection: socket.socket, reader: Any) -> None:
        self.say(connection, b"220 slow.example ESMTP\r\n", "greeting")
        for line in iter(reader.readline, b""):
            verb = line[:4].upper()
            if verb == b"EHLO":
                connection.sendall(b"250-slow.example\r\n250 8BITMIME\r\n")
            elif verb == b"DATA":
                connection.sendall(b"354 go on\r\n")
                for data in iter(reader.readline, b""):
                    if data == b".\r\n":
                        break
                self.say(connection, b"250 2.0.0 queued as 12345\r\n", "data")
            elif verb == b"QUIT":
                connection.sendall(b"221 bye\r\n")
                return
            else:
                connection.sendall(b"250 OK\r\n")

    def http(self, connection: socket.socket, reader: Any) -> None:
        length = 0
        for line in iter(reader.readline, b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        reader.read(length)
        body = b'{"errcode": 0, "errmsg": "ok", "pad": "................"}'
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        self.say(connection, head + b"Content-Length: %d\r\n\r\n" % len(body), "head")
        self.say(connection, body, "body")

    def close(self) -> None:
        self.stop.set()
        self.thread.join(5)
        self.listener.close()


@pytest.mark.parametrize(
    ("speaks", "slow"),
    [("smtp", "greeting"), ("smtp", "data"), ("http", "head"), ("http", "body")],
)
def test_a_server_that_answers_a_byte_a_second_is_cut_off_at_the_timeout(
    cli: Callable[..., Result], make_campaign: Callable[..., Path], speaks: str, slow: str
) -> None:
    """Item 10: `timeout` is for the whole message, not for each read."""
    server = Dribbler(speaks, slow)
    try:
        if speaks == "smtp":
            folder = make_campaign(smtp_table(server.port).replace("timeout = 5", "timeout = 2"))
        else:
            folder = make_campaign(webhook_table(f"http://127.0.0.1:{server.port}/", timeout=2))

        result, seconds = timed(cli, "remind", folder, "--send", "--lang", "zh")
    finally:
        server.close()

    assert result.code == 1, result.err
    assert seconds < 2 + 8, seconds  # the first message's 2 s, then the channel is given up
    assert "Traceback" not in result.err
    assert "2 s" in result.err
    assert state_of(folder)["delivered"] == {}


# --- item 11: a journal, not a rewrite per message -----------------------------------------------


def many_units(count: int) -> dict[str, str]:
    """``count`` units, each with one owner whose task is due on the report day."""
    return {
        f"410105/u{n:03}.toml": JINSHUI.replace("jinshui-school", f"u{n:03}")
        .replace("金水区测试学校党委", f"测试单位{n:03}")
        .replace("陈静 <cj@example.cn>", f"责任人{n:03} <o{n:03}@example.cn>")
        .replace("赵敏 <zm@example.cn>", f"联系人{n:03} <c{n:03}@example.cn>")
        for n in range(count)
    }


def test_kills_at_random_moments_repeat_at_most_one_message_per_kill(
    make_campaign: Callable[..., Path], smtp: SmtpServer, hook: Hook, tmp_path: Path
) -> None:
    """kill -9 while 30 mails and 30 posts go out, again and again: nothing lost, ≤1 extra each.

    (Item 11: the guarantee the journal must keep.)
    """
    import random

    folder = make_campaign(smtp_table(smtp.port), webhook_table(hook.url), units=many_units(30))
    smtp.handler.delay = 0.02
    chance = random.Random(9)
    command = [sys.executable, "-m", "checklist", "remind", str(folder), "--send", "--no-cache"]
    env = {**os.environ, "CHECKLIST_AS_OF": DAY}
    kills = 0
    for _ in range(12):  # start a run, kill it soon after its first delivery, again
        before = len(smtp.received) + len(hook.posts)
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        waited = time.monotonic() + 20
        while process.poll() is None and time.monotonic() < waited:
            if len(smtp.received) + len(hook.posts) > before:
                time.sleep(chance.uniform(0, 0.2))
                break
            time.sleep(0.005)
        if process.poll() is None:
            process.kill()
            kills += 1
        process.wait(10)
        if process.returncode == 0:
            break
    final = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=60, check=False
    )

    assert final.returncode == 0, final.stderr
    mails = Counter(m.to for m in smtp.received)
    posts = Counter(p.body["key"] for p in hook.posts)
    assert set(mails) == {f"o{n:03}@example.cn" for n in range(30)}
    assert len(posts) == 30
    extra = sum(mails.values()) + sum(posts.values()) - 60
    assert kills >= 3  # each kill came after a delivery, halfway through the night
    assert extra <= kills, (kills, mails, posts)
    assert recorded(folder).pending == {}
    assert not (folder / ".checklist" / "remind-state.json.journal").exists()


def test_the_journal_is_read_with_the_state_and_a_torn_last_line_is_ignored(
    cli: Callable[..., Result], make_campaign: Callable[..., Path], hook: Hook
) -> None:
    from checklist.remind.deliver import State

    folder = make_campaign(webhook_table(hook.url))
    path = folder / ".checklist" / "remind-state.json"
    path.parent.mkdir()
    journal = path.with_name("remind-state.json.journal")
    done = {"delivered": f"{KEYS[1]}@webhook", "at": "2023-11-20T00:30:00+00:00"}
    journal.write_text(json.dumps(done) + '\n{"delivered": "torn', encoding="utf-8")

    assert list(State.load(path).delivered) == [f"{KEYS[1]}@webhook"]
    result = cli("remind", folder, "--send", "--lang", "zh")

    assert result.code == 0, result.err
    assert sorted(p.body["key"] for p in hook.posts) == sorted(k for k in KEYS if k != KEYS[1])
    assert not journal.exists()
    assert set(state_of(folder)["delivered"]) == {f"{k}@webhook" for k in KEYS}


def test_a_damaged_journal_is_refused_and_nothing_is_sent(
    cli: Callable[..., Result], make_campaign: Callable[..., Path], hook: Hook
) -> None:
    folder = make_campaign(webhook_table(hook.url))
    journal = folder / ".checklist" / "remind-state.json.journal"
    journal.parent.mkdir()
    journal.write_text('["not", "a", "record"]\n{}\n', encoding="utf-8")

    result = cli("remind", folder, "--send", "--lang", "zh")

    assert result.code == 2
    assert "remind-state.json.journal" in result.err
    assert "line 1" in result.err
    assert hook.posts == []
