"""campaign.toml rules: values that parse but cannot work, each a named rule.

They run after the structural check (``load.shape``) on the cleaned document;
any finding stops the campaign from loading, since no unit could be checked.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Iterator
from typing import Any

from checklist.load.schema import (
    CAMPAIGN_SCHEMA,
    MEASURE_KEY_PATTERN,
    RESERVED_TABLES,
    Kind,
)
from checklist.remind.channels import CHANNELS
from checklist.rules.registry import Finding, campaign_rule
from checklist.words import hidden_finding, quote, strings

MAX_ADVANCE_DAYS = 366


@campaign_rule("E213")
def check_campaign_table(doc: dict[str, Any]) -> Iterator[Finding]:
    """The campaign's dates in order, its time zone a real one."""
    campaign = doc.get("campaign")
    if isinstance(campaign, dict):
        start, end = campaign.get("start"), campaign.get("end")
        if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
            yield Finding(
                "E213",
                f"the campaign ends ({end}) before it starts ({start})",
                ("campaign", "end"),
                on_value=True,
                hint="swap start and end",
            )
        zone = campaign.get("timezone")
        if isinstance(zone, str) and not _is_zone(zone):
            yield Finding(
                "E213",
                f"unknown time zone {quote(zone)}",
                ("campaign", "timezone"),
                on_value=True,
                hint='use an IANA name such as "Asia/Shanghai"',
            )


@campaign_rule("E213")
def check_measures(doc: dict[str, Any]) -> Iterator[Finding]:
    """[[measures]]: at least one, keys unique and usable as table names."""
    measures = doc.get("measures")
    if isinstance(measures, list):
        if not measures:
            yield Finding(
                "E213",
                "[[measures]] is empty",
                ("measures",),
                hint="list at least one measure, or remove it for the default five",
            )
        yield from _unique(measures, "measures", "key")
        for i, measure in enumerate(measures):
            key = measure.get("key")
            if isinstance(key, str) and (
                not re.fullmatch(MEASURE_KEY_PATTERN, key) or key in RESERVED_TABLES
            ):
                yield Finding(
                    "E213",
                    f"measure key {quote(key)} cannot name a table in unit files",
                    ("measures", i, "key"),
                    on_value=True,
                    hint="use lower-case letters, digits and _, starting with a letter, "
                    f"and not {' or '.join(RESERVED_TABLES)}",
                )


@campaign_rule("E102", "E213")
def check_counties(doc: dict[str, Any]) -> Iterator[Finding]:
    """[[counties]]: at least one, codes and names unique, counts not negative."""
    counties = doc.get("counties")
    if isinstance(counties, list):
        if not counties:
            yield Finding(
                "E102",
                "there are no [[counties]]",
                ("counties",),
                hint="add one [[counties]] table per county-level area",
            )
        yield from _unique(counties, "counties", "code")
        yield from _unique(counties, "counties", "name")
        for i, county in enumerate(counties):
            expected = county.get("expected_units")
            if isinstance(expected, int) and expected < 0:
                yield Finding(
                    "E213",
                    f"expected_units is negative ({expected})",
                    ("counties", i, "expected_units"),
                    on_value=True,
                )


@campaign_rule("E204", "W406")
def check_hidden_texts(doc: dict[str, Any]) -> Iterator[Finding]:
    """Control, bidi and invisible characters: campaign text reaches every report and message."""
    for path, text, is_key in strings(doc):
        finding = hidden_finding(path, text, is_key=is_key, multiline=False, names=True)
        if finding:
            yield finding


def _choices() -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """(table, key, choices) for every campaign.toml key the schema gives choices."""
    return tuple(
        (table.name, field.name, field.choices)
        for table in CAMPAIGN_SCHEMA.fields
        if table.kind is Kind.TABLE
        for field in table.fields
        if field.choices
    )


_CHOICES = _choices()  # the schema's choices are the ones enforced: no second copy


@campaign_rule("E213")
def check_choices(doc: dict[str, Any]) -> Iterator[Finding]:
    """Values the schema limits to a few choices ([remind] lang, [smtp] security, …)."""
    for table, key, choices in _CHOICES:
        value = doc.get(table, {}).get(key) if isinstance(doc.get(table), dict) else None
        if isinstance(value, str) and value not in choices:
            yield Finding(
                "E213",
                f"{key} = {quote(value)} is not one of {', '.join(choices)}",
                (table, key),
                on_value=True,
                hint=f"write one of {', '.join(choices)}",
            )


_SUBJECT_FIELDS = {
    "subject": {"campaign": "c", "name": "n", "overdue": 1, "soon": 1, "date": "d"},
    "escalation_subject": {
        "campaign": "c",
        "name": "n",
        "unit": "u",
        "count": 1,
        "days": 7,
        "date": "d",
    },
}


@campaign_rule("E213")
def check_remind(doc: dict[str, Any]) -> Iterator[Finding]:
    """[remind]: subjects that fill in, channels that exist, sensible day counts."""
    remind = doc.get("remind")
    if isinstance(remind, dict):
        for key, sample in _SUBJECT_FIELDS.items():
            template = remind.get(key)
            if isinstance(template, str):
                try:
                    template.format(**sample)
                except (KeyError, IndexError, ValueError) as error:
                    yield Finding(
                        "E213",
                        f"{key} cannot be filled in: {error}",
                        ("remind", key),
                        on_value=True,
                        hint="use only " + ", ".join("{" + k + "}" for k in sample),
                    )
        channels = remind.get("channels")
        if isinstance(channels, list):
            for i, channel in enumerate(channels):
                if channel not in CHANNELS:
                    yield Finding(
                        "E213",
                        f"unknown channel {quote(channel)}",
                        ("remind", "channels", i),
                        on_value=True,
                        hint="channels are " + " and ".join(f'"{n}"' for n in CHANNELS),
                    )
                elif doc.get(CHANNELS[channel].table) is None:
                    table = CHANNELS[channel].table
                    yield Finding(
                        "E213",
                        f'channel "{channel}" needs a [{table}] table',
                        ("remind", "channels", i),
                        on_value=True,
                        hint=f"add [{table}] (see docs/format.md)",
                    )
        advance = remind.get("advance_days")
        if isinstance(advance, list):
            for i, days in enumerate(advance):
                if isinstance(days, int) and not 0 <= days <= MAX_ADVANCE_DAYS:
                    yield Finding(
                        "E213",
                        f"advance_days holds {days}: remind 0 to {MAX_ADVANCE_DAYS} days ahead",
                        ("remind", "advance_days", i),
                        on_value=True,
                        hint="0 is the due day itself, 7 a week before",
                    )
        for key in ("overdue_every", "escalate_after"):
            if isinstance(remind.get(key), int) and remind[key] < 1:
                yield Finding("E213", f"{key} must be at least 1", ("remind", key), on_value=True)


@campaign_rule("E213")
def check_connections(doc: dict[str, Any]) -> Iterator[Finding]:
    """[smtp] and [webhook]: timeouts, port and URL that could only fail at 3 a.m."""
    for table in (info.table for info in CHANNELS.values()):
        section = doc.get(table)
        if isinstance(section, dict):
            timeout = section.get("timeout")
            if isinstance(timeout, int) and not 1 <= timeout <= 600:
                yield Finding(
                    "E213",
                    f"timeout must be 1 to 600 seconds, not {timeout}",
                    (table, "timeout"),
                    on_value=True,
                )
    smtp = doc.get("smtp")
    port = smtp.get("port") if isinstance(smtp, dict) else None
    if isinstance(port, int) and not 1 <= port <= 65535:
        yield Finding(
            "E213",
            f"port {port} does not exist",
            ("smtp", "port"),
            on_value=True,
            hint="465 for tls, 587 for starttls, 25 for none",
        )
    webhook = doc.get("webhook")
    if isinstance(webhook, dict):
        url, url_env = webhook.get("url"), webhook.get("url_env")
        if (url is None) == (url_env is None):
            yield Finding(
                "E213",
                "[webhook] needs exactly one of url and url_env",
                ("webhook",),
                hint='url = "https://…", or url_env naming a variable',
            )
        elif isinstance(url, str) and not url.startswith(("https://", "http://")):
            yield Finding(
                "E213",
                f"{quote(url)} is not an http(s) URL",
                ("webhook", "url"),
                on_value=True,
                hint="the URL starts with https://",
            )


def _unique(items: list[dict[str, Any]], table: str, key: str) -> Iterator[Finding]:
    seen: dict[Any, int] = {}
    for i, item in enumerate(items):
        value = item.get(key)
        if not isinstance(value, str):
            continue
        if value in seen:
            yield Finding(
                "E213",
                f"{key} {quote(value)} is used twice in [[{table}]] "
                f"(#{seen[value] + 1} and #{i + 1})",
                (table, i, key),
                on_value=True,
                hint=f"each {key} must be unique",
            )
        else:
            seen[value] = i


def _is_zone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True
