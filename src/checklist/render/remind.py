"""Reminders as text (what cron mails) or JSON, and the ones that could not be delivered."""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable, Iterable, Iterator
from typing import IO, TYPE_CHECKING, Any

from checklist.i18n import Lang, t
from checklist.words import printable

if TYPE_CHECKING:
    from checklist.remind.send import Outcome


class Printed:
    """Messages written as they pass on their way (to the channels, or nowhere), so the
    night's output is never held whole: text at once, JSON as the one document
    ``json.dumps(..., indent=2)`` would make, what became of them written last."""

    def __init__(self, out: IO[str], output_format: str, *, as_of: dt.date, lang: Lang) -> None:
        self.out, self.json, self.lang = out, output_format == "json", lang
        self.count = 0
        if self.json:
            head = {"schema_version": 1, "as_of": as_of.isoformat()}
            out.write(json.dumps(head, ensure_ascii=False, indent=2)[:-2] + ',\n  "messages": [')

    def passing(self, messages: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for message in messages:
            if self.json:
                one = indented(message, "\n    ")
                self.out.write(("," if self.count else "") + "\n    " + one)
            else:
                self.out.write(_text_of(message, self.lang, rule=bool(self.count)))
            self.count += 1
            yield message

    def end(self, outcome: Outcome | None) -> None:
        if not self.json:
            return
        self.out.write("\n  ]" if self.count else "]")
        if outcome is not None:
            tail = {
                "sent": [{"key": k, "channel": c} for k, c in outcome.sent],
                "failed": [
                    {"key": m["key"], "channel": c, "error": e} for m, c, e in outcome.failed
                ],
                "undeliverable": [
                    {"key": m["key"], "channel": c} for m, c in outcome.undeliverable
                ],
                "skipped": outcome.skipped,
            }
            self.out.write(",\n" + json.dumps(tail, ensure_ascii=False, indent=2)[2:-2])
        self.out.write("\n}\n")


_SCALAR = json.JSONEncoder(ensure_ascii=False).encode
# What _SCALAR makes of a string, without its checks: a message's keys and texts.
_STRING = json.encoder.encode_basestring
_NESTED = frozenset({dict, list, tuple})


def indented(value: Any, newline: str = "\n") -> str:
    """``json.dumps(value, ensure_ascii=False, indent=2)`` of plain dicts, lists and
    scalars, each line after the first begun by ``newline``: the same bytes, made by the
    C encoder (which an indent turns off: four times slower) a flat dict or list at a
    time, a message's tasks being flat."""
    inner = newline + "  "
    if type(value) is dict:
        if not value:
            return "{}"
        if _NESTED.isdisjoint(map(type, value.values())):
            return "{" + inner + _flat(inner)(value)[1:-1] + newline + "}"
        if not all(type(k) is str for k in value):  # else what json makes of them
            return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", newline)
        parts = [f"{_STRING(k)}: {indented(v, inner)}" for k, v in value.items()]
        return "{" + inner + ("," + inner).join(parts) + newline + "}"
    if type(value) is list or type(value) is tuple:
        if not value:
            return "[]"
        if _NESTED.isdisjoint(map(type, value)):
            return "[" + inner + _flat(inner)(value)[1:-1] + newline + "]"
        return "[" + inner + ("," + inner).join(indented(v, inner) for v in value) + newline + "]"
    if type(value) is str:
        return _STRING(value)
    return "null" if value is None else _SCALAR(value)


@functools.lru_cache(maxsize=16)
def _flat(inner: str) -> Callable[[Any], str]:
    """The C encoder writing a flat dict's or list's items one a line, after ``inner``."""
    return json.JSONEncoder(ensure_ascii=False, separators=("," + inner, ": ")).encode


def write_text(
    messages: Iterable[dict[str, Any]], out: IO[str], lang: Lang = Lang.EN, *, first: bool = True
) -> None:
    """Each message with its headers, a rule between two (and before the first, unless
    it is the first of all)."""
    for n, message in enumerate(messages):
        out.write(_text_of(message, lang, rule=bool(n) or not first))


_RULE = "-" * 72 + "\n"


def _text_of(message: dict[str, Any], lang: Lang, *, rule: bool) -> str:
    """One message as text: one write a message, a night being thousands of them."""
    to, cc, subject, separator = _headers(lang)
    copied = ""
    if message["cc"]:
        copied = f"{cc}{printable(separator.join(who(p, lang) for p in message['cc']))}\n"
    return (
        f"{_RULE if rule else ''}{to}{printable(who(message['recipient'], lang))}\n{copied}"
        f"{subject}{printable(message['subject'])}\n\n{_body_text(message['body'])}"
    )


@functools.lru_cache(maxsize=2)
def _headers(lang: Lang) -> tuple[str, str, str, str]:
    """The headers' words, and what separates two people copied."""
    return (
        t("remind.header.to", lang),
        t("remind.header.cc", lang),
        t("remind.header.subject", lang),
        "、" if lang is Lang.ZH else ", ",
    )


def _body_text(body: str) -> str:
    """The body's lines, each made printable and ended by a newline."""
    # Printable once the newlines are out, the lines are the body's own (every other line
    # break splitlines knows is unprintable): the body as it is, its last line ended.
    if body.replace("\n", "").isprintable():
        return body if not body or body.endswith("\n") else body + "\n"
    return "".join(printable(line) + "\n" for line in body.splitlines())


def who(person: dict[str, Any], lang: Lang = Lang.EN) -> str:
    if person["address"]:
        return f"{person['name']} <{person['address']}>"
    return _no_address(lang).format(name=person["name"], unit=person["unit"])


@functools.lru_cache(maxsize=2)
def _no_address(lang: Lang) -> str:
    """The template naming a person without an address (thousands a night)."""
    return t("remind.no_address_of", lang)


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
