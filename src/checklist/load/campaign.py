"""Find and load ``campaign.toml``: the campaign's dates, measures and counties."""

from __future__ import annotations

import stat
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from checklist.errors import ConfigError
from checklist.load.pinpoint import pinpoint
from checklist.load.schema import CAMPAIGN_SCHEMA
from checklist.load.shape import shape
from checklist.load.source import SourceError, decode, display, parse, read
from checklist.model import (
    DEFAULT_MEASURES,
    DEFAULT_SECTORS,
    BulletinSettings,
    CalendarSettings,
    Campaign,
    County,
    HistorySettings,
    Level,
    LiaisonGroup,
    Lights,
    MeasureDef,
    Milestone,
    RemindConfig,
    SmtpConfig,
    WebhookConfig,
)
from checklist.rules.groups import CAMPAIGN_WARNINGS
from checklist.rules.registry import Finding, campaign_checks

CONFIG_NAME = "campaign.toml"


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
        "(docs/format.md describes campaign.toml)",
        zh=f"在 {start} 及其上级文件夹里都没有找到 {CONFIG_NAME}(活动配置文件);"
        "请先进入活动文件夹再运行 checklist,或者用 --config 文件路径 指明它"
        "(campaign.toml 的写法见 docs/format.md)",
    )


def _kind(path: Path) -> int | None:
    """The file type of path (through links), None if there is nothing; a folder that
    cannot be entered stops the search, since a campaign.toml behind it would be missed."""
    try:
        return stat.S_IFMT(path.stat().st_mode)
    except PermissionError:
        raise ConfigError(
            f"cannot look for {CONFIG_NAME} in {path.parent}: permission denied; "
            "make the folder readable, or name the file with --config FILE",
            zh=f"没有权限进入 {path.parent},无法在里面查找 {CONFIG_NAME};"
            "请给这个文件夹加上读取权限,或者用 --config 文件路径 指明它",
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
            raise ConfigError(f"{file}: no such file", zh=f"{file}:没有这个文件") from None
        raise ConfigError(
            f"{file} cannot be read",
            pinpoint([error.finding], text=text, file=file),
            zh=f"{file} 读不了",
        ) from None
    findings: list[Finding] = []
    clean = shape(doc, CAMPAIGN_SCHEMA, findings)
    for check in campaign_checks():
        findings.extend(check(clean))
    problems = pinpoint(findings, text=text, file=file)
    if any(f.code not in CAMPAIGN_WARNINGS for f in findings):
        raise ConfigError(
            f"{file} has problems", problems, lang=declared_lang(doc), zh=f"{file} 有问题"
        )
    return replace(_build(clean, path), warnings=tuple(problems))


def declared_lang(doc: dict[str, Any]) -> str | None:
    """The language a campaign.toml asks for, if it says so plainly: read even from a
    broken one, whose problems are then reported in it."""
    table = doc.get("campaign")
    lang = table.get("lang") if isinstance(table, dict) else None
    return lang if lang in ("zh", "en") else None


def _build(doc: dict[str, Any], path: Path) -> Campaign:
    campaign = doc["campaign"]
    measures = doc.get("measures")
    return Campaign(
        name=campaign["name"],
        start=campaign["start"],
        end=campaign["end"],
        timezone=campaign.get("timezone"),
        lang=campaign.get("lang"),
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
        lights=Lights(**doc.get("lights", {})),
        history=HistorySettings(**doc.get("history", {})),
        milestones=tuple(_milestone(m) for m in doc.get("milestones", ())),
        calendar=_calendar(doc.get("calendar", {})),
        sectors=tuple(campaign.get("sectors", DEFAULT_SECTORS)),
        groups=tuple(_group(g, doc["counties"]) for g in doc.get("groups", ())),
        bulletin=BulletinSettings(**doc.get("bulletin", {})),
        config_path=path.absolute(),
    )


def _milestone(table: dict[str, Any]) -> Milestone:
    level = table.get("level")
    return Milestone(
        date=table["date"],
        name=table["name"],
        level=Level(level) if level else None,
        counties=tuple(table.get("counties", ())),
        expect=table.get("expect", "file"),
        expected_units=table.get("expected_units"),
    )


def _calendar(table: dict[str, Any]) -> CalendarSettings:
    values = dict(table)
    for key in ("holidays", "workdays"):
        if key in values:  # one date or a list of them
            given = values[key]
            values[key] = tuple(sorted(set(given if isinstance(given, list) else [given])))
    return CalendarSettings(**values)


def _group(table: dict[str, Any], counties: list[dict[str, Any]]) -> LiaisonGroup:
    codes = {c["name"]: c["code"] for c in counties}  # a county named by name, as units may
    return LiaisonGroup(
        name=table["name"],
        contact=table["contact"],
        counties=tuple(codes.get(c, c) for c in table.get("counties", ())),
        **{key: tuple(table.get(key, ())) for key in ("sectors", "units", "subgroups", "overlaps")},
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
