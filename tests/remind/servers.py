"""An SMTP server (aiosmtpd) and a webhook endpoint (http.server) on 127.0.0.1, on free ports."""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import json
import socket
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller


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


def by_recipient(mails: list[Mail]) -> dict[str, Mail]:
    found = {mail.to: mail for mail in mails}
    assert len(found) == len(mails), f"a recipient got two messages: {[m.to for m in mails]}"
    return found


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
        self.fine_first = 0  # posts answered "ok" before ``behaviour`` applies
        self.posts: list[Post] = []
        self.wake = threading.Event()
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                behaviour = hook.behaviour if len(hook.posts) >= hook.fine_first else "ok"
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
