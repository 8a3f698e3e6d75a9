"""The bulletin as Markdown for a group robot: lists, not tables (WeCom's markdown has none),
split into messages that fit the robot's limit (4,096 bytes for WeCom)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from checklist.bulletin import Area, Bulletin
from checklist.i18n import Lang, t
from checklist.rollup import By
from checklist.words import markdown_text

WECOM_LIMIT = 4096
_PART_ROOM = 64  # bytes kept free in each message for its "(part n of m)" line
_ONE_DAY = dt.timedelta(days=1)


def bulletin_title(
    bulletin: Bulletin, lang: Lang, text: Callable[[str], str] = markdown_text
) -> str:
    """The bulletin's title, its campaign's name made safe by ``text``; or the office's own
    ([bulletin] title), the period's dates then on the line below it."""
    if bulletin.title:
        return text(bulletin.title)
    return t(
        "bulletin.title",
        lang,
        campaign=text(bulletin.campaign),
        period=t(f"bulletin.period.{bulletin.period.value}", lang),
        start=(bulletin.since + _ONE_DAY).isoformat(),
        end=bulletin.as_of.isoformat(),
    )


def bulletin_markdown(
    bulletin: Bulletin, lang: Lang, text: Callable[[str], str] = markdown_text
) -> str:
    """The whole bulletin, one Markdown text; ``text`` makes what files say safe (the .docx
    bulletin reads the same lines with a plain ``printable``)."""
    title = bulletin_title(bulletin, lang, text)
    total = bulletin.total
    lines = [f"# {title}", "", _overall(total, bulletin, lang), ""]
    if bulletin.title:
        start, end = (bulletin.since + _ONE_DAY).isoformat(), bulletin.as_of.isoformat()
        lines.insert(1, t("bulletin.dates", lang, start=start, end=end))
    lines.append(f"## {t('bulletin.ranking', lang, by=t(bulletin.by.value, lang))}")
    lines += [_ranked(area, lang, text) for area in bulletin.areas] or [t("bulletin.none", lang)]
    lines += ["", f"## {t('bulletin.behind', lang)}"]
    lines += [
        t(
            "bulletin.behind.row",
            lang,
            name=text(a.name),
            county=text(a.county or ""),
            overdue=a.overdue,
            on_time=_percent(a.on_time),
        )
        for a in bulletin.behind
    ] or [t("bulletin.none", lang)]
    lines += ["", f"## {t('bulletin.missing', lang)}"]
    lines += [
        t(
            "bulletin.missing.row",
            lang,
            name=text(a.name),
            missing=a.missing_units,
            expected=a.expected_units,
        )
        for a in bulletin.missing
    ] or [t("bulletin.none", lang)]
    return "\n".join(lines) + "\n"


def _overall(total: Area, bulletin: Bulletin, lang: Lang) -> str:
    return t(
        "bulletin.overall",
        lang,
        units=total.units,
        tasks=total.tasks,
        done=total.done,
        completion=_percent(total.completion),
        done_in_period=total.done_in_period,
        on_time=_percent(total.on_time),
        change=_change(total, lang),
        since=bulletin.since.isoformat(),
        overdue=total.overdue,
        light=_light(total, lang),
    )


def _ranked(area: Area, lang: Lang, text: Callable[[str], str]) -> str:
    name = t(f"{By.GROUP.value}.none", lang) if area.key == "—" else text(area.name)
    return t(
        "bulletin.row",
        lang,
        rank=area.rank if area.rank is not None else "—",
        name=name,
        on_time=_percent(area.on_time),
        change=_change(area, lang),
        completion=_percent(area.completion),
        done_in_period=area.done_in_period,
        overdue=area.overdue,
        light=_light(area, lang),
    )


def _percent(share: float | None) -> str:
    return "—" if share is None else f"{share:.1%}"


def _change(area: Area, lang: Lang) -> str:
    change = area.on_time_change
    return "—" if change is None else t("bulletin.pts", lang, value=change)


def _light(area: Area, lang: Lang) -> str:
    if area.light is None:
        return "—"
    return t("bulletin.light", lang, light=t(f"light.{area.light.value}", lang))


def split_messages(text: str, lang: Lang, *, limit: int = WECOM_LIMIT) -> list[str]:
    """The text as messages of at most ``limit`` UTF-8 bytes, split between lines; each of
    several says which part it is. A line too long for any message is cut short."""
    if len(text.encode("utf-8")) <= limit:
        return [text]
    room = limit - _PART_ROOM
    parts: list[list[str]] = [[]]
    size = 0
    for whole in text.rstrip("\n").split("\n"):
        line = _cut(whole, room - 1)
        cost = len(line.encode("utf-8")) + 1
        if size + cost > room and parts[-1]:
            parts.append([])
            size = 0
        parts[-1].append(line)
        size += cost
    return [
        t("bulletin.part", lang, n=n, of=len(parts)) + "\n" + "\n".join(lines) + "\n"
        for n, lines in enumerate(parts, 1)
    ]


def _cut(line: str, limit: int) -> str:
    data = line.encode("utf-8")
    if len(data) <= limit:
        return line
    return data[: limit - 3].decode("utf-8", "ignore") + "…"
