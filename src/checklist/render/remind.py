"""Reminders as text (what cron mails) or JSON, and the ones that could not be delivered."""

from __future__ import annotations

import datetime as dt
import json
from typing import IO, TYPE_CHECKING, Any

from checklist.i18n import Lang, t
from checklist.words import printable

if TYPE_CHECKING:
    from checklist.remind.send import Outcome


def write_messages(
    messages: list[dict[str, Any]],
    out: IO[str],
    output_format: str,
    *,
    as_of: dt.date,
    outcome: Outcome | None = None,
    lang: Lang = Lang.EN,
) -> None:
    """The planned messages; in JSON, with what became of them when they were sent."""
    if output_format == "json":
        write_json(messages, out, as_of=as_of, outcome=outcome)
    else:
        write_text(messages, out, lang)


def write_json(
    messages: list[dict[str, Any]], out: IO[str], *, as_of: dt.date, outcome: Outcome | None
) -> None:
    document: dict[str, Any] = {
        "schema_version": 1,
        "as_of": as_of.isoformat(),
        "messages": messages,
    }
    if outcome is not None:
        document["sent"] = [{"key": k, "channel": c} for k, c in outcome.sent]
        document["failed"] = [
            {"key": m["key"], "channel": c, "error": e} for m, c, e in outcome.failed
        ]
        document["undeliverable"] = [
            {"key": m["key"], "channel": c} for m, c in outcome.undeliverable
        ]
        document["skipped"] = outcome.skipped
    out.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")


def write_text(messages: list[dict[str, Any]], out: IO[str], lang: Lang = Lang.EN) -> None:
    """Each message with its headers, a rule between two."""
    to, cc, subject = (t(f"remind.header.{h}", lang) for h in ("to", "cc", "subject"))
    for n, message in enumerate(messages):
        if n:
            out.write("-" * 72 + "\n")
        out.write(f"{to}{printable(who(message['recipient'], lang))}\n")
        if message["cc"]:
            separator = "、" if lang is Lang.ZH else ", "
            copied = separator.join(who(p, lang) for p in message["cc"])
            out.write(f"{cc}{printable(copied)}\n")
        out.write(f"{subject}{printable(message['subject'])}\n\n")
        for line in message["body"].splitlines():
            out.write(printable(line) + "\n")


def who(person: dict[str, Any], lang: Lang = Lang.EN) -> str:
    if person["address"]:
        return f"{person['name']} <{person['address']}>"
    return t("remind.no_address_of", lang, name=person["name"], unit=person["unit"])


def write_undelivered(outcome: Outcome, lang: Lang, err: IO[str]) -> None:
    """Every message that was not delivered, and why; nothing when all were."""
    problems = [(m, c, t("remind.no_address", lang)) for m, c in outcome.undeliverable]
    problems += list(outcome.failed)
    if not problems:
        return
    err.write(t("remind.undeliverable", lang, count=len(problems)) + "\n")
    for message, channel, reason in problems:
        line = f"  {who(message['recipient'], lang)} [{channel}]: {message['subject']} — {reason}"
        err.write(printable(line) + "\n")
