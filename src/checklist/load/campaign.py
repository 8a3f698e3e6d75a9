"""Find and load ``campaign.toml``: the campaign's dates, measures and counties."""

from __future__ import annotations

import datetime as dt
import re
import stat
import zoneinfo
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from checklist.errors import ConfigError
from checklist.load.pinpoint import pinpoint
from checklist.load.schema import CAMPAIGN_SCHEMA, MEASURE_KEY_PATTERN, RESERVED_TABLES
from checklist.load.shape import quote, shape
from checklist.load.source import SourceError, decode, display, parse, read
from checklist.model import (
    DEFAULT_MEASURES,
    Campaign,
    County,
    MeasureDef,
    RemindConfig,
    SmtpConfig,
    WebhookConfig,
)
from checklist.rules.registry import Finding
from checklist.words import hidden_finding, strings

CONFIG_NAME = "campaign.toml"
MAX_ADVANCE_DAYS = 366


def find_config(paths: Sequence[Path]) -> Path:
    """Walk up from the first path to the nearest campaign.toml, as ruff finds pyproject.toml."""
    start = (paths[0] if paths else Path()).absolute()
    if _kind(start) != stat.S_IFDIR:
        start = start.parent
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_NAME
        if _kind(candidate) == stat.S_IFREG:
            return candidate
    raise ConfigError(
        f"no {CONFIG_NAME} found in {start} or any folder above it; "
        "run checklist in a campaign folder, or name one with --config FILE "
        "(docs/format.md describes campaign.toml)"
    )


def _kind(path: Path) -> int | None:
    """The file type of path (through links), None if there is nothing; a folder that
    cannot be entered stops the search, since a campaign.toml behind it would be missed."""
    try:
        return stat.S_IFMT(path.stat().st_mode)
    except PermissionError:
        raise ConfigError(
            f"cannot look for {CONFIG_NAME} in {path.parent}: permission denied; "
            "make the folder readable, or name the file with --config FILE"
        ) from None
    except (OSError, ValueError):
        return None


def load_campaign(path: Path) -> Campaign:
    """Load and check campaign.toml; any problem is a ConfigError, since no unit can be checked."""
    file = display(path)
    text = ""
    try:
        text = decode(read(path))
        doc = parse(text)
    except SourceError as error:
        if error.finding.code == "E001" and not path.exists():
            raise ConfigError(f"{file}: no such file") from None
        raise ConfigError(
            f"{file} cannot be read", pinpoint([error.finding], text=text, file=file)
        ) from None
    findings: list[Finding] = []
    clean = shape(doc, CAMPAIGN_SCHEMA, findings)
    findings.extend(_check(clean))
    findings.extend(_hidden_texts(clean))
    findings.extend(_check_delivery(clean))
    problems = pinpoint(findings, text=text, file=file)
    if findings:
        raise ConfigError(f"{file} has problems", problems)
    return _build(clean, path)


def _check(doc: dict[str, Any]) -> Iterable[Finding]:
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


def _hidden_texts(doc: dict[str, Any]) -> Iterable[Finding]:
    """Control, bidi and invisible characters: campaign text reaches every report and message."""
    for path, text, is_key in strings(doc):
        finding = hidden_finding(path, text, is_key=is_key, multiline=False, names=True)
        if finding:
            yield finding


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
_CHOICES = {
    ("remind", "lang"): ("zh", "en"),
    ("smtp", "security"): ("starttls", "tls", "none"),
    ("webhook", "format"): ("generic", "wecom", "dingtalk"),
}


def _check_delivery(doc: dict[str, Any]) -> Iterable[Finding]:
    """The [remind], [smtp] and [webhook] tables: values that could only fail at 3 a.m."""
    for (table, key), choices in _CHOICES.items():
        value = doc.get(table, {}).get(key) if isinstance(doc.get(table), dict) else None
        if isinstance(value, str) and value not in choices:
            yield Finding(
                "E213",
                f"{key} = {quote(value)} is not one of {', '.join(choices)}",
                (table, key),
                on_value=True,
                hint=f"write one of {', '.join(choices)}",
            )
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
                if channel not in ("email", "webhook"):
                    yield Finding(
                        "E213",
                        f"unknown channel {quote(channel)}",
                        ("remind", "channels", i),
                        on_value=True,
                        hint='channels are "email" and "webhook"',
                    )
                elif doc.get("smtp" if channel == "email" else "webhook") is None:
                    table = "smtp" if channel == "email" else "webhook"
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
    for table in ("smtp", "webhook"):
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


def _unique(items: list[dict[str, Any]], table: str, key: str) -> Iterable[Finding]:
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


def _build(doc: dict[str, Any], path: Path) -> Campaign:
    campaign = doc["campaign"]
    measures = doc.get("measures")
    return Campaign(
        name=campaign["name"],
        start=campaign["start"],
        end=campaign["end"],
        timezone=campaign.get("timezone"),
        exclude=tuple(campaign.get("exclude", ())),
        measures=tuple(MeasureDef(m["key"], m["name"]) for m in measures)
        if measures
        else DEFAULT_MEASURES,
        counties=tuple(
            County(c["code"], c["name"], c.get("expected_units")) for c in doc["counties"]
        ),
        remind=_remind(doc.get("remind", {})),
        smtp=_smtp(doc["smtp"], path) if "smtp" in doc else None,
        webhook=WebhookConfig(**doc["webhook"]) if "webhook" in doc else None,
        config_path=path.absolute(),
    )


def _remind(table: dict[str, Any]) -> RemindConfig:
    values = dict(table)
    for key in ("advance_days", "channels"):
        if key in values:
            values[key] = tuple(values[key])
    return RemindConfig(**values)


def _smtp(table: dict[str, Any], config: Path) -> SmtpConfig:
    values = dict(table)
    if "ca_file" in values:
        values["ca_file"] = config.absolute().parent / values["ca_file"]
    return SmtpConfig(**values)
