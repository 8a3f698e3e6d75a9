"""Deliver the night's messages by e-mail and webhook, never twice, retrying what failed.

Channels send the JSON form of a message (``message_to_dict``), which is also what
``remind --format json`` prints and what the state file keeps for a retry.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from checklist.atomic import write_atomic
from checklist.errors import ConfigError
from checklist.model import Campaign, Person, SmtpConfig, WebhookConfig
from checklist.remind import Message
from checklist.render import markdown_text
from checklist.render.report import item_to_dict

STATE_VERSION = 1
PENDING_DAYS = 14  # a message that has failed for two weeks is stale; stop retrying it


class DeliveryError(Exception):
    """This message did not get through; it will be retried on the next run."""


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
    """SMTP with STARTTLS or TLS; one connection for the night, reopened after an error."""

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
        self._broken: str | None = None

    def _connect(self) -> Any:
        import smtplib
        import ssl

        config = self.config
        context = ssl.create_default_context(cafile=str(config.ca_file) if config.ca_file else None)
        port = config.port or {"tls": 465, "starttls": 587}.get(config.security, 25)
        if config.security == "tls":
            smtp: Any = smtplib.SMTP_SSL(config.host, port, timeout=config.timeout, context=context)
        else:
            smtp = smtplib.SMTP(config.host, port, timeout=config.timeout)
            if config.security == "starttls":
                smtp.starttls(context=context)
        if config.user and self.password is not None:
            smtp.login(config.user, self.password)
        return smtp

    def send(self, message: dict[str, Any]) -> None:
        import smtplib

        if self._broken:  # the server is down: fail fast instead of timing out per message
            raise DeliveryError(self._broken)
        mail = self._compose(message)
        if self._smtp is None:
            try:
                self._smtp = self._connect()
            except (smtplib.SMTPException, OSError) as error:
                # Cannot connect, greet or log in: the rest would fail the same way.
                self._broken = f"{self.config.host}: {type(error).__name__}: {error}"
                raise DeliveryError(self._broken) from None
        try:
            self._smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as error:
            raise DeliveryError(f"the server refused the address: {error.recipients}") from None
        except smtplib.SMTPResponseException as error:
            # The server answered and refused this one message (a 4xx or 5xx on MAIL or
            # DATA); the connection is still good for the others.
            reply = error.smtp_error
            text = reply.decode(errors="replace") if isinstance(reply, bytes) else reply
            raise DeliveryError(
                f"{self.config.host} refused it: {error.smtp_code} {text}"
            ) from None
        except (smtplib.SMTPException, OSError) as error:
            # SMTPException is an OSError too: anything else means the connection is gone.
            self._disconnect()
            self._broken = f"{self.config.host}: {type(error).__name__}: {error}"
            raise DeliveryError(self._broken) from None

    def _disconnect(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(Exception):
                self._smtp.close()
            self._smtp = None

    def _compose(self, message: dict[str, Any]) -> Any:
        from email.headerregistry import Address
        from email.message import EmailMessage
        from email.utils import formatdate, make_msgid, parseaddr

        def address(person: dict[str, Any]) -> Address:
            user, _, domain = person["address"].rpartition("@")
            return Address(person["name"], user, domain)

        mail = EmailMessage()
        sender_name, sender = parseaddr(self.config.sender)
        user, _, domain = sender.rpartition("@")
        mail["From"] = Address(sender_name, user, domain)
        mail["To"] = address(message["recipient"])
        cc = [address(p) for p in message["cc"] if p["address"]]
        if cc:
            mail["Cc"] = cc
        mail["Subject"] = message["subject"]
        mail["Date"] = formatdate(localtime=True)
        mail["Message-ID"] = make_msgid(domain=domain or None)
        mail.set_content(message["body"])
        return mail

    def close(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(Exception):
                self._smtp.quit()
            self._smtp = None


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
    """An HTTP POST of JSON per message; robots answer 200 with an errcode, which counts."""

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

    def send(self, message: dict[str, Any]) -> None:
        import urllib.error
        import urllib.request

        if self._broken:
            raise DeliveryError(self._broken)
        body = json.dumps(webhook_payload(message, self.config.format), ensure_ascii=False)
        request = urllib.request.Request(
            self.url,
            data=body.encode(),
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": "checklist-remind",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.config.timeout) as response:
                answer = response.read(65536)
        except urllib.error.HTTPError as error:
            raise DeliveryError(f"the webhook answered HTTP {error.code}") from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            self._broken = f"the webhook cannot be reached: {reason}"
            raise DeliveryError(self._broken) from None
        if self.config.format in ("wecom", "dingtalk"):
            try:
                reply = json.loads(answer or b"{}")
            except ValueError:
                raise DeliveryError("the robot's answer is not JSON") from None
            if reply.get("errcode", 0) != 0:
                raise DeliveryError(f"the robot refused: {reply.get('errmsg', reply)}")

    def close(self) -> None:
        pass


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


@dataclass
class State:
    """Delivered message keys, and the messages that failed and wait for the next run."""

    path: Path
    delivered: dict[str, str] = field(default_factory=dict)
    pending: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> State:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls(path)
        except (OSError, ValueError, RecursionError) as error:
            # Starting afresh would send everything again: stop and let a person decide.
            raise ConfigError(
                f"the reminder state {path} cannot be read ({error}); move it away to start afresh"
            ) from None
        if not _well_formed(raw):
            raise ConfigError(
                f"the reminder state {path} is not one checklist wrote; "
                "move it away to start afresh"
            )
        return cls(path, dict(raw.get("delivered", {})), dict(raw.get("pending", {})))

    def save(self) -> None:
        """Write atomically: a crash leaves the old state or the new one, never half."""
        document = {"version": STATE_VERSION, "delivered": self.delivered, "pending": self.pending}
        write_atomic(self.path, json.dumps(document, ensure_ascii=False, indent=1).encode())

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
    return all(
        isinstance(entry, dict)
        and isinstance(entry.get("channel"), str)
        and _is_message(entry.get("message"))
        for entry in pending.values()
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


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """One remind at a time per state file: two overlapping cron runs must not both send."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.with_name(path.name + ".lock").open("a", encoding="utf-8") as handle:
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
    """Send every message on every channel, recording each success at once.

    Earlier runs' failures are retried first. A message already delivered is
    skipped, so a re-run the same day sends nothing twice; the state is saved
    after each delivery, so a crash repeats at most the message in flight.
    """
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
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
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
            except DeliveryError as error:
                failed.append((message, channel.name, str(error)))
                state.pending[key] = {
                    "channel": channel.name,
                    "message": message,
                    "error": str(error),
                }
            else:
                sent.append((message["key"], channel.name))
                state.delivered[key] = now
                state.pending.pop(key, None)
            state.save()
    finally:
        for channel in channels:
            channel.close()
    return Outcome(tuple(sent), tuple(failed), tuple(undeliverable), skipped)


def _key(message: dict[str, Any], channel: Channel) -> str:
    return f"{message['key']}@{channel.name}"
