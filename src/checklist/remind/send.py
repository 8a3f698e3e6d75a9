"""Send the night's messages on every channel, never twice, retrying what failed.

Channels send the JSON form of a message (``message_to_dict``), which is also what
``remind --format json`` prints and what the ledger keeps for a retry.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from checklist.errors import ConfigError, write_reason_zh
from checklist.model import Campaign, Person
from checklist.remind.plan import Message
from checklist.status import entry_to_dict

if TYPE_CHECKING:  # a night printed, not sent, needs neither
    from checklist.remind.channels import Channel
    from checklist.remind.ledger import Ledger


def _person(person: Person) -> dict[str, Any]:
    return {"name": person.name, "address": person.address, "unit": person.unit}


_URLS = ("http://", "https://")


def message_to_dict(message: Message, campaign: Campaign, *, tasks: bool = True) -> dict[str, Any]:
    """The message as channels send it and JSON prints it; ``tasks=False`` leaves out its
    tasks, which the text cron mails does not show (a fifth of a night's work)."""
    made = {
        "key": message.key,
        "kind": str(message.kind),
        "recipient": _person(message.recipient),
        "cc": [_person(p) for p in message.cc],
        "subject": message.subject,
        "body": message.body,
        "unit": message.unit,
    }
    if tasks:
        made["tasks"] = [entry_to_dict(e, campaign) for e in message.items]
    return made


@dataclass(frozen=True, slots=True)
class Outcome:
    sent: tuple[tuple[str, str], ...]  # (message key, channel)
    failed: tuple[tuple[dict[str, Any], str, str], ...]  # (message, channel, reason)
    undeliverable: tuple[tuple[dict[str, Any], str], ...]  # (message, channel)
    skipped: int  # already delivered earlier


def deliver(
    messages: Iterable[dict[str, Any]], channels: Sequence[Channel], state: Ledger
) -> Outcome:
    """Send every message on every channel, recording each outcome at once.

    Earlier nights' failures are retried first; the messages come one at a time, as
    they are made. A message already delivered is skipped, so a re-run the same day
    sends nothing twice; a failure of tonight's earlier run that tonight does not plan
    again is retried last. The state is compacted and its journal opened before
    anything is sent (a state that cannot be written is exit 2, with nothing sent),
    each outcome is journalled before the next message, and a journal that cannot be
    written stops the sending; so a crash repeats at most the message in flight. A
    message that cannot be built or sent, for whatever reason, is that message's
    failure: the others go on.
    """
    from checklist.remind.channels import DeliveryError, why
    from checklist.remind.ledger import now

    state.open()
    stream = iter(messages)
    first = next(stream, None)
    tonight = first["key"][:10] if first is not None else None  # keys begin with the day
    by_name = {c.name: c for c in channels}
    pending = [
        (entry["message"], by_name[entry["channel"]])
        for _, entry in sorted(state.pending.items())
        if entry["channel"] in by_name
    ]
    planned: set[str] = set()

    def tonights() -> Iterator[tuple[dict[str, Any], Channel]]:
        for message in itertools.chain(() if first is None else (first,), stream):
            planned.add(message["key"])
            for channel in channels:
                yield message, channel

    work = itertools.chain(
        ((m, c) for m, c in pending if m["key"][:10] != tonight),
        tonights(),
        # Read when the night's messages are done: which of its own failures it planned.
        ((m, c) for m, c in pending if m["key"][:10] == tonight and m["key"] not in planned),
    )
    sent, failed, undeliverable = [], [], []
    skipped = 0
    at = now()
    try:
        for message, channel in work:
            key = _key(message, channel)
            if key in state.delivered:
                skipped += 1
                continue
            if not reachable(message, channel):
                undeliverable.append((brief(message), channel.name))
                continue
            try:
                channel.send(message)
            except Exception as error:
                reason = str(error) if isinstance(error, DeliveryError) else why(error)
                failed.append((message, channel.name, reason))
                entry = {"channel": channel.name, "message": message, "error": reason}
                state.mark_pending(key, entry)
            else:
                sent.append((message["key"], channel.name))
                state.mark_delivered(key, at)
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
            f"make {state.path.parent} writable and free some space",
            zh=f"提醒记录 {state.path} 写不进去({write_reason_zh(error)});"
            f"已发送的内容记在 {state.journal} 里,下次运行会读取它:"
            f"请让 {state.path.parent} 可以写入,并腾出一些磁盘空间",
        ) from None
    return Outcome(tuple(sent), tuple(failed), tuple(undeliverable), skipped)


def reachable(message: dict[str, Any], channel: Channel) -> bool:
    """Whether the channel can take the message: e-mail needs an e-mail address, and a
    group contact's webhook URL (W411 allows it) is none."""
    address = message["recipient"]["address"] or ""
    return not channel.needs_address or bool(address and not address.startswith(_URLS))


def brief(message: dict[str, Any]) -> dict[str, Any]:
    """What is said of a message no channel could take: a night without addresses keeps
    thousands of these, so not their bodies and tasks."""
    return {k: message[k] for k in ("key", "recipient", "subject")}


def _key(message: dict[str, Any], channel: Channel) -> str:
    return f"{message['key']}@{channel.name}"
