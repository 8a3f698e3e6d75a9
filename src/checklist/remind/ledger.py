"""Deliver the night's messages by e-mail and webhook, never twice, retrying what failed.

Channels send the JSON form of a message (``message_to_dict``), which is also what
``remind --format json`` prints and what the state file keeps for a retry.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import socket
import stat
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn, Protocol

from checklist.atomic import write_atomic
from checklist.errors import ConfigError
from checklist.model import Campaign, Person, SmtpConfig, WebhookConfig
from checklist.remind.plan import Message
from checklist.render import markdown_text, printable
from checklist.render.report import item_to_dict

STATE_VERSION = 1
PENDING_DAYS = 14  # a message that has failed for two weeks is stale; stop retrying it


class DeliveryError(Exception):
    """This message did not get through; it will be retried on the next run."""


def header_text(text: str) -> str:
    """Text for one header line: nothing in it can end the line or start another header.

    Controls become visible (``printable``); line and paragraph separators, which
    Python's e-mail package counts as line ends, become spaces.
    """
    text = printable(text)
    if text.isprintable():
        return text
    return "".join(" " if unicodedata.category(char) in ("Zl", "Zp") else char for char in text)


class _Deadline:
    """A time limit for a whole message, from connecting to the last byte of the answer.

    A socket's timeout counts per read, so a server sending a byte a second could hold
    a message for ever. When the time is up, the connections being watched are shut
    down, which ends any read or write still waiting on them.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self.expired = False
        self._watched: list[socket.socket] = []
        self._over = False
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def remaining(self) -> float:
        return max(self.end - time.monotonic(), 0.01)

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._watched.append(sock)
            if self.expired:
                _shut(sock)

    def stop(self) -> bool:
        """The message is over: from now on nothing is shut. Whether time ran out."""
        with self._lock:
            self._over = True
        self._timer.cancel()
        return self.expired

    def _expire(self) -> None:
        with self._lock:
            if self._over:
                return
            self.expired = True
            for sock in self._watched:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def _twin(sock: socket.socket) -> socket.socket:
    """A second descriptor of the same connection: shutting it down ends the connection,
    even once the first has been wrapped in TLS (which detaches it) or closed."""
    return socket.fromfd(sock.fileno(), sock.family, sock.type)


def _person(person: Person) -> dict[str, Any]:
    return {"name": person.name, "address": person.address, "unit": person.unit}


def message_to_dict(message: Message, campaign: Campaign) -> dict[str, Any]:
    return {
        "key": message.key,
        "kind": str(message.kind),
        "recipient": _person(message.recipient),
        "cc": [_person(p) for p in message.cc],
        "subject": message.subject,
        "body": message.body,
        "unit": message.unit.id if message.unit else None,
        "tasks": [item_to_dict(i, campaign) for i in message.items],
    }


class Channel(Protocol):
    name: str
    needs_address: bool

    def send(self, message: dict[str, Any]) -> None: ...

    def close(self) -> None: ...


# --- e-mail -------------------------------------------------------------------------


class Email:
    """SMTP with STARTTLS or TLS; one connection for the night, reset or reopened after a refusal.

    A refusal of one message (an address, the content, SMTPUTF8 the server lacks, a
    message that cannot be built) fails that message only. A connection that cannot
    be made, breaks, or runs out of time fails the rest of the night's mail at once.
    """

    name = "email"
    needs_address = True

    def __init__(self, config: SmtpConfig, environ: dict[str, str]) -> None:
        self.config = config
        self.password: str | None = None
        if config.user:
            self.password = environ.get(config.password_env) or None
            if self.password is None:
                raise ConfigError(
                    f"[smtp] user is set, but the environment variable {config.password_env} "
                    "with its password is not; set it (the password is never read from a file)"
                )
        if config.ca_file and not config.ca_file.is_file():
            raise ConfigError(f"[smtp] ca_file {config.ca_file} does not exist")
        self._smtp: Any = None
        self._twin: socket.socket | None = None  # the connection's, for the deadline
        self._broken: str | None = None

    def _connect(self, deadline: _Deadline) -> Any:
        import smtplib
        import ssl

        def watch(sock: socket.socket) -> None:
            self._twin = _twin(sock)
            deadline.watch(self._twin)

        class Plain(smtplib.SMTP):
            def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
                sock = socket.create_connection((host, port), timeout, self.source_address)
                watch(sock)
                return sock

        class Secure(smtplib.SMTP_SSL):
            def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
                sock = socket.create_connection((host, port), timeout, self.source_address)
                watch(sock)  # before the handshake, which the deadline covers too
                return self.context.wrap_socket(sock, server_hostname=host)

        config = self.config
        context = ssl.create_default_context(cafile=str(config.ca_file) if config.ca_file else None)
        port = config.port or {"tls": 465, "starttls": 587}.get(config.security, 25)
        timeout = deadline.remaining()
        if config.security == "tls":
            smtp: Any = Secure(config.host, port, timeout=timeout, context=context)
        else:
            smtp = Plain(config.host, port, timeout=timeout)
            if config.security == "starttls":
                smtp.starttls(context=context)
        if config.user and self.password is not None:
            smtp.login(config.user, self.password)
        return smtp

    def send(self, message: dict[str, Any]) -> None:
        if self._broken:  # the server is down: fail fast instead of timing out per message
            raise DeliveryError(self._broken)
        try:
            mail = self._compose(message)
        except Exception as error:  # a name or address the e-mail package refuses
            raise DeliveryError(f"the e-mail cannot be written: {_why(error)}") from None
        with _Deadline(self.config.timeout) as deadline:
            try:
                self._send(mail, deadline)
            finally:
                if deadline.stop():  # the connection was shut: open a new one next time
                    self._disconnect()

    def _send(self, mail: Any, deadline: _Deadline) -> None:
        import smtplib

        host = self.config.host
        if self._smtp is not None and self._smtp.sock is None:  # smtplib closed it (a 421)
            self._disconnect()
        if self._smtp is None:
            try:
                self._smtp = self._connect(deadline)
            except Exception as error:
                # Cannot connect, greet or log in: the rest would fail the same way.
                self._give_up(deadline, error)
        elif self._twin is not None:
            deadline.watch(self._twin)
        try:
            self._smtp.sock.settimeout(deadline.remaining())
            self._smtp.send_message(mail)
        except Exception as error:
            if deadline.expired or _connection_lost(error):
                self._give_up(deadline, error)
            # The server (or smtplib) refused this one message: the connection stays.
            self._reset()
            if isinstance(error, smtplib.SMTPRecipientsRefused):
                raise DeliveryError(f"the server refused the address: {error.recipients}") from None
            if isinstance(error, smtplib.SMTPResponseException):
                reply = error.smtp_error
                text = reply.decode(errors="replace") if isinstance(reply, bytes) else reply
                raise DeliveryError(f"{host} refused it: {error.smtp_code} {text}") from None
            raise DeliveryError(f"{host} cannot take it: {_why(error)}") from None

    def _give_up(self, deadline: _Deadline, error: Exception) -> NoReturn:
        """The connection is gone or too slow: fail this message and the rest of the night's."""
        self._disconnect()
        if deadline.expired:
            self._broken = f"{self.config.host}: no answer within {deadline.seconds} s"
        else:
            self._broken = f"{self.config.host}: {_why(error)}"
        raise DeliveryError(self._broken) from None

    def _reset(self) -> None:
        """RSET after a refusal, so the next message starts clean; if that fails, reconnect."""
        try:
            self._smtp.rset()
        except Exception:
            self._disconnect()

    def _disconnect(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(Exception):
                self._smtp.close()
            self._smtp = None
        if self._twin is not None:
            self._twin.close()
            self._twin = None

    def _compose(self, message: dict[str, Any]) -> Any:
        from email.headerregistry import Address
        from email.message import EmailMessage
        from email.utils import formatdate, make_msgid, parseaddr

        def address(name: str, spec: str) -> Address:
            if not spec.isprintable() or any(char.isspace() for char in spec):
                raise ValueError(f"{spec!r} has a space, control or invisible character")
            user, _, domain = spec.rpartition("@")
            return Address(header_text(name), user, domain)

        mail = EmailMessage()
        sender_name, sender = parseaddr(self.config.sender)
        domain = sender.rpartition("@")[2]
        mail["From"] = address(sender_name, sender)
        mail["To"] = address(message["recipient"]["name"], message["recipient"]["address"])
        cc = [address(p["name"], p["address"]) for p in message["cc"] if p["address"]]
        if cc:
            mail["Cc"] = cc
        mail["Subject"] = header_text(message["subject"])
        mail["Date"] = formatdate(localtime=True)
        mail["Message-ID"] = make_msgid(domain=domain or None)
        mail.set_content(message["body"])
        return mail

    def close(self) -> None:
        if self._smtp is not None:
            with _Deadline(self.config.timeout) as deadline:
                if self._twin is not None:
                    deadline.watch(self._twin)
                with contextlib.suppress(Exception):
                    self._smtp.quit()
        self._disconnect()


def _connection_lost(error: Exception) -> bool:
    """A socket error, a TLS error or a closed connection; not the server saying no."""
    import smtplib

    if isinstance(error, smtplib.SMTPServerDisconnected):
        return True
    return isinstance(error, OSError) and not isinstance(error, smtplib.SMTPException)


def _why(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


# --- webhooks -----------------------------------------------------------------------

WECOM_LIMIT = 4096  # bytes of markdown content a WeCom group robot accepts


def _markdown(message: dict[str, Any]) -> str:
    """The message as robot markdown; text from files is escaped so it stays text."""
    lines = [f"### {markdown_text(message['subject'])}", ""]
    for line in message["body"].splitlines():
        lines.append(markdown_text(line) if line.strip() else "")
    return "\n".join(lines)


def webhook_payload(message: dict[str, Any], form: str) -> dict[str, Any]:
    if form == "wecom":
        content = _markdown(message).encode()[:WECOM_LIMIT].decode(errors="ignore")
        return {"msgtype": "markdown", "markdown": {"content": content}}
    if form == "dingtalk":
        return {
            "msgtype": "markdown",
            "markdown": {"title": message["subject"], "text": _markdown(message)},
        }
    return {"schema_version": STATE_VERSION, **message}


class Webhook:
    """An HTTP POST of JSON per message; robots answer 200 with an errcode, which counts.

    A redirect is never followed: urllib would resend the POST as a bodiless GET, which
    the new address answers 200, and the message would count as delivered.
    """

    name = "webhook"
    needs_address = False

    def __init__(self, config: WebhookConfig, environ: dict[str, str]) -> None:
        url = config.url or environ.get(config.url_env or "") or None
        if url is None:
            raise ConfigError(f"[webhook] url_env names {config.url_env}, which is not set")
        if not url.startswith(("https://", "http://")):
            raise ConfigError(f"the webhook URL in {config.url_env} is not an http(s) URL")
        self.url, self.config = url, config
        self._broken: str | None = None
        self._opener: Any = None
        self._deadline: _Deadline | None = None
        self._twins: list[socket.socket] = []

    def _watch(self, sock: socket.socket) -> None:
        twin = _twin(sock)
        self._twins.append(twin)
        if self._deadline is not None:
            self._deadline.watch(twin)

    def send(self, message: dict[str, Any]) -> None:
        import urllib.request

        if self._broken:
            raise DeliveryError(self._broken)
        body = json.dumps(webhook_payload(message, self.config.format), ensure_ascii=False)
        request = urllib.request.Request(
            self.url,
            data=body.encode(errors="replace"),
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": "checklist-remind",
            },
        )
        if self._opener is None:
            self._opener = _opener(self._watch)
        with _Deadline(self.config.timeout) as deadline:
            self._deadline = deadline
            try:
                answer = self._post(request, deadline)
            finally:
                self._deadline = None
                for twin in self._twins:
                    twin.close()
                self._twins.clear()
        if self.config.format in ("wecom", "dingtalk"):
            try:
                reply = json.loads(answer or b"{}")
            except ValueError:
                raise DeliveryError("the robot's answer is not JSON") from None
            if not isinstance(reply, dict):
                raise DeliveryError("the robot's answer is not a JSON object")
            if reply.get("errcode", 0) != 0:
                raise DeliveryError(f"the robot refused: {reply.get('errmsg', reply)}")

    def _post(self, request: Any, deadline: _Deadline) -> bytes:
        import urllib.error

        try:
            with self._opener.open(request, timeout=deadline.remaining()) as response:
                answer: bytes = response.read(65536)
        except urllib.error.HTTPError as error:
            with contextlib.suppress(Exception):
                error.close()
            if deadline.stop():
                self._broken = f"the webhook did not answer within {deadline.seconds} s"
                raise DeliveryError(self._broken) from None
            location = error.headers.get("Location") if error.headers else None
            if 300 <= error.code < 400 and location:
                raise DeliveryError(
                    f"the webhook answered HTTP {error.code}, moved to {location}; "
                    "a message is never sent on to another address: "
                    "if that one is right, put it in campaign.toml"
                ) from None
            raise DeliveryError(f"the webhook answered HTTP {error.code}") from None
        except Exception as error:
            if deadline.stop():
                self._broken = f"the webhook did not answer within {deadline.seconds} s"
            elif isinstance(error, OSError):  # refused, unreachable, reset: so will the rest be
                reason = getattr(error, "reason", error)
                self._broken = f"the webhook cannot be reached: {reason}"
            else:  # an answer that is not HTTP, or cut short
                raise DeliveryError(f"the webhook's answer cannot be read: {_why(error)}") from None
            raise DeliveryError(self._broken) from None
        if deadline.stop():  # the end of the answer came just as time ran out
            self._broken = f"the webhook did not answer within {deadline.seconds} s"
            raise DeliveryError(self._broken)
        return answer

    def close(self) -> None:
        pass


def _opener(watch: Callable[[socket.socket], None]) -> Any:
    """urllib's opener without its redirect handler, telling ``watch`` of each connection."""
    import http.client
    import urllib.request

    def watched(kind: type[http.client.HTTPConnection]) -> Callable[..., Any]:
        def connection(host: str, **options: Any) -> http.client.HTTPConnection:
            made = kind(host, **options)

            def create(*args: Any, **keywords: Any) -> socket.socket:
                sock = socket.create_connection(*args, **keywords)
                watch(sock)
                return sock

            made._create_connection = create  # type: ignore[attr-defined]
            return made

        return connection

    class Plain(urllib.request.HTTPHandler):
        def http_open(self, req: urllib.request.Request) -> Any:
            return self.do_open(watched(http.client.HTTPConnection), req)

    class Secure(urllib.request.HTTPSHandler):
        def https_open(self, req: urllib.request.Request) -> Any:
            context = getattr(self, "_context", None)
            return self.do_open(watched(http.client.HTTPSConnection), req, context=context)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **keywords: Any) -> None:
            return None

    return urllib.request.build_opener(Plain, Secure, NoRedirect)


def open_channels(campaign: Campaign, environ: dict[str, str]) -> list[Channel]:
    """The channels --send uses, checked before anything is sent (a config error is exit 2)."""
    wanted = campaign.remind.channels
    if wanted is None:
        wanted = tuple(
            name
            for name, table in (("email", campaign.smtp), ("webhook", campaign.webhook))
            if table
        )
    if not wanted:
        raise ConfigError(
            "--send needs an [smtp] or a [webhook] table in campaign.toml (see docs/format.md)"
        )
    channels: list[Channel] = []
    for name in wanted:
        if name == "email" and campaign.smtp:
            channels.append(Email(campaign.smtp, environ))
        elif name == "webhook" and campaign.webhook:
            channels.append(Webhook(campaign.webhook, environ))
    return channels


# --- what was delivered ---------------------------------------------------------------


class StateWriteError(ConfigError):
    """The state cannot be written: sending stops, so nothing goes out unrecorded."""


@dataclass
class State:
    """Delivered message keys, and the messages that failed and wait for the next run.

    The state file is rewritten whole only at the start and the end of a run. In
    between, each outcome is appended to a journal beside it (``NAME.journal``, one
    JSON line each, written before the next message goes), which ``load`` reads
    back: a crash repeats at most the message in flight, and a run of 20,000
    messages does not write the whole state 20,000 times.
    """

    path: Path
    delivered: dict[str, str] = field(default_factory=dict)
    pending: dict[str, dict[str, Any]] = field(default_factory=dict)
    _journal: int | None = field(default=None, repr=False, compare=False)
    _sync_by: float = field(default=0.0, repr=False, compare=False)

    @property
    def journal(self) -> Path:
        return self.path.with_name(self.path.name + ".journal")

    @classmethod
    def load(cls, path: Path) -> State:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            state = cls(path)
        except (OSError, ValueError, RecursionError) as error:
            # Starting afresh would send everything again: stop and let a person decide.
            raise ConfigError(
                f"the reminder state {path} cannot be read ({error}); move it away to start afresh"
            ) from None
        else:
            if not _well_formed(raw):
                raise ConfigError(
                    f"the reminder state {path} is not one checklist wrote; "
                    "move it away to start afresh"
                )
            state = cls(path, dict(raw.get("delivered", {})), dict(raw.get("pending", {})))
        state._replay()
        return state

    def _replay(self) -> None:
        try:
            with self.journal.open("rb") as handle:
                if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                    raise ConfigError(
                        f"the reminder journal {self.journal} is not a file; move it away"
                    )
                data = handle.read()
        except FileNotFoundError:
            return
        except OSError as error:
            raise ConfigError(
                f"the reminder journal {self.journal} cannot be read ({error}); "
                "make it readable (moving it away sends what it records again)"
            ) from None
        # The last piece has no newline: an append a crash cut short, or nothing.
        for number, line in enumerate(data.split(b"\n")[:-1], 1):
            try:
                record = json.loads(line)
            except (ValueError, RecursionError):
                record = None
            if not self._apply(record):
                raise ConfigError(
                    f"the reminder journal {self.journal} is damaged at line {number}; "
                    "move it away to go on (what it records may then be sent again)"
                )

    def _apply(self, record: Any) -> bool:
        if not isinstance(record, dict):
            return False
        key = record.get("delivered")
        if isinstance(key, str) and isinstance(record.get("at"), str):
            self.delivered[key] = record["at"]
            self.pending.pop(key, None)
            return True
        key = record.get("pending")
        if isinstance(key, str) and _is_entry(record.get("entry")):
            self.pending[key] = record["entry"]
            return True
        return "opened" in record

    def save(self) -> None:
        """Compact: write the whole state atomically, then drop the journal it includes.

        A crash between the two replays the journal onto a state that has it already,
        which changes nothing.
        """
        self.close()
        document = {"version": STATE_VERSION, "delivered": self.delivered, "pending": self.pending}
        write_atomic(self.path, json.dumps(document, ensure_ascii=False, indent=1).encode())
        self.journal.unlink(missing_ok=True)

    def open(self) -> None:
        """Compact and start a journal, before anything is sent: a state that cannot be
        written must stop the run here, not after a message has gone out unrecorded."""
        try:
            self.save()
            umask = os.umask(0)
            os.umask(umask)
            flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_CLOEXEC", 0)
            self._journal = os.open(self.journal, flags, 0o666 & ~umask)
            self._append({"opened": _now()}, sync=True)
        except (OSError, StateWriteError) as error:
            self.close()
            reason = error.__cause__ if isinstance(error, StateWriteError) else error
            raise ConfigError(
                f"the reminder state {self.path} cannot be written ({reason}); nothing was sent: "
                f"make {self.path.parent} writable and free some space, or choose another --state"
            ) from None

    def close(self) -> None:
        if self._journal is not None:
            with contextlib.suppress(OSError):
                os.fsync(self._journal)
            with contextlib.suppress(OSError):
                os.close(self._journal)
            self._journal = None

    def mark_delivered(self, key: str, at: str) -> None:
        """Written and flushed to disk before the next message goes: at most one repeats."""
        self._append({"delivered": key, "at": at}, sync=True)
        self.delivered[key] = at
        self.pending.pop(key, None)

    def mark_pending(self, key: str, entry: dict[str, Any]) -> None:
        """Written at once (a killed process loses nothing), flushed to disk within a second
        or with the next delivery: losing one to a power cut sends nothing twice, and a
        channel that is down fails thousands of messages a second."""
        self._append({"pending": key, "entry": entry}, sync=time.monotonic() >= self._sync_by)
        self.pending[key] = entry

    def _append(self, record: dict[str, Any], *, sync: bool) -> None:
        """One line (ASCII: any text survives), in the file before the next message goes."""
        if self._journal is None:
            raise StateWriteError(f"the reminder journal {self.journal} is not open")
        line = json.dumps(record, ensure_ascii=True).encode() + b"\n"
        try:
            while line:
                line = line[os.write(self._journal, line) :]
            if sync:
                os.fsync(self._journal)
                self._sync_by = time.monotonic() + 1.0
        except OSError as error:
            raise StateWriteError(
                f"the reminder state {self.path} cannot be written ({error}); "
                "stopped sending, so that nothing goes out unrecorded (the last message sent "
                f"may go again next time): make {self.path.parent} writable and free some space"
            ) from error

    def forget(self, *, as_of: dt.date) -> None:
        """Drop records of days long past, and stop retrying messages that have gone stale."""
        delivered = (as_of - dt.timedelta(days=60)).isoformat()
        pending = (as_of - dt.timedelta(days=PENDING_DAYS)).isoformat()
        self.delivered = {k: v for k, v in self.delivered.items() if k[:10] >= delivered}
        self.pending = {k: v for k, v in self.pending.items() if k[:10] >= pending}


def _well_formed(raw: Any) -> bool:
    """Whether a state document has the version and the shape that State.save writes."""
    if not isinstance(raw, dict) or raw.get("version") != STATE_VERSION:
        return False
    delivered, pending = raw.get("delivered", {}), raw.get("pending", {})
    if not isinstance(delivered, dict) or not isinstance(pending, dict):
        return False
    if not all(isinstance(v, str) for v in delivered.values()):
        return False
    return all(_is_entry(entry) for entry in pending.values())


def _is_entry(entry: Any) -> bool:
    """A pending entry as ``deliver`` writes it: what retrying and reporting it reads."""
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("channel"), str)
        and _is_message(entry.get("message"))
    )


def _is_message(message: Any) -> bool:
    return (
        isinstance(message, dict)
        and all(isinstance(message.get(k), str) for k in ("key", "subject", "body"))
        and _is_person(message.get("recipient"))
        and isinstance(message.get("cc"), list)
        and all(_is_person(p) for p in message["cc"])
    )


def _is_person(person: Any) -> bool:
    return (
        isinstance(person, dict)
        and isinstance(person.get("name"), str)
        and isinstance(person.get("address"), str | None)
        and isinstance(person.get("unit"), str)
    )


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """One remind at a time per state file: two overlapping cron runs must not both send."""
    lock = path.with_name(path.name + ".lock")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = lock.open("a", encoding="utf-8")
    except OSError as error:
        raise ConfigError(
            f"the reminder state {path} cannot be written ({error}); nothing was sent: "
            f"make {path.parent} a writable folder, or choose another --state"
        ) from None
    with handle:
        try:
            import fcntl
        except ImportError:  # Windows: no advisory locks; cron runs there are rare
            yield
            return
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise ConfigError(
                f"another `checklist remind` is running (lock {handle.name})"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


@dataclass(frozen=True, slots=True)
class Outcome:
    sent: tuple[tuple[str, str], ...]  # (message key, channel)
    failed: tuple[tuple[dict[str, Any], str, str], ...]  # (message, channel, reason)
    undeliverable: tuple[tuple[dict[str, Any], str], ...]  # (message, channel)
    skipped: int  # already delivered earlier


def deliver(
    messages: Sequence[dict[str, Any]], channels: Sequence[Channel], state: State
) -> Outcome:
    """Send every message on every channel, recording each outcome at once.

    Earlier runs' failures are retried first. A message already delivered is
    skipped, so a re-run the same day sends nothing twice. The state is compacted
    and its journal opened before anything is sent (a state that cannot be
    written is exit 2, with nothing sent), each outcome is journalled before the
    next message, and a journal that cannot be written stops the sending; so a
    crash repeats at most the message in flight. A message that cannot be built
    or sent, for whatever reason, is that message's failure: the others go on.
    """
    state.open()
    today = {m["key"] for m in messages}
    by_name = {c.name: c for c in channels}
    # Earlier nights' failures first, on the channel that failed (if it is still in use);
    # tonight's own failures are planned again anyway.
    work = [
        (entry["message"], by_name[entry["channel"]])
        for _, entry in sorted(state.pending.items())
        if entry["message"]["key"] not in today and entry["channel"] in by_name
    ]
    work += [(m, c) for m in messages for c in channels]
    sent, failed, undeliverable = [], [], []
    skipped = 0
    now = _now()
    try:
        for message, channel in work:
            key = _key(message, channel)
            if key in state.delivered:
                skipped += 1
                continue
            if channel.needs_address and not message["recipient"]["address"]:
                undeliverable.append((message, channel.name))
                continue
            try:
                channel.send(message)
            except Exception as error:
                reason = str(error) if isinstance(error, DeliveryError) else _why(error)
                failed.append((message, channel.name, reason))
                entry = {"channel": channel.name, "message": message, "error": reason}
                state.mark_pending(key, entry)
            else:
                sent.append((message["key"], channel.name))
                state.mark_delivered(key, now)
    finally:
        for channel in channels:
            with contextlib.suppress(Exception):
                channel.close()
        state.close()
    try:
        state.save()
    except OSError as error:
        raise ConfigError(
            f"the reminder state {state.path} cannot be written ({error}); what was sent is "
            f"recorded in {state.journal}, which the next run reads: "
            f"make {state.path.parent} writable and free some space"
        ) from None
    return Outcome(tuple(sent), tuple(failed), tuple(undeliverable), skipped)


def _key(message: dict[str, Any], channel: Channel) -> str:
    return f"{message['key']}@{channel.name}"
