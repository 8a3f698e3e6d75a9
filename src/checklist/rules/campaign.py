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
from checklist.model import DEFAULT_MEASURES
from checklist.remind.channels import CHANNELS
from checklist.rules.registry import Finding, campaign_rule
from checklist.words import hidden_finding, quote, strings

MAX_ADVANCE_DAYS = 366

# Words for a clerk who reads Chinese: what each key is for, in the office's terms.
_DEFAULT_NAMES = "、".join(m.name for m in DEFAULT_MEASURES)
_CHOICE_ZH = {
    "zh": "中文",
    "en": "英文",
    "none": "不加密",
    "generic": "通用 JSON",
    "wecom": "企业微信",
    "dingtalk": "钉钉",
}
_CHANNEL_ZH = {"email": "邮件", "webhook": "群机器人"}
_SUBJECT_ZH = {"subject": "提醒消息的标题", "escalation_subject": "督办消息的标题"}
_DAYS_ZH = {
    "overdue_every": "逾期后每隔几天再提醒一次",
    "escalate_after": "逾期几天后告知单位联系人",
}
_UNIQUE_ZH = {"key": "代号", "code": "代码", "name": "名称"}


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
                zh=f"活动的结束日期({end})早于开始日期({start})",
                zh_hint=f"把两个日期对调:start = {end},end = {start}",
            )
        zone = campaign.get("timezone")
        if isinstance(zone, str) and not _is_zone(zone):
            yield Finding(
                "E213",
                f"unknown time zone {quote(zone)}",
                ("campaign", "timezone"),
                on_value=True,
                hint='use an IANA name such as "Asia/Shanghai"',
                zh=f"没有 {quote(zone)} 这个时区",
                zh_hint='时区要写国际通用的名称,中国各地都写 timezone = "Asia/Shanghai"',
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
                zh="措施列表 measures 是空的,一项措施也没有",
                zh_hint="把 measures = [] 换成至少一段 [[measures]](含 key 和 name);"
                f"或者删掉这一行,就用默认的五项措施({_DEFAULT_NAMES})",
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
                    zh=f"{_measure_zh(measure, i)}的代号 key = {quote(key)} 用不了:"
                    + (
                        f"单位文件里 [{key}] 另有用处"
                        if key in RESERVED_TABLES
                        else "单位文件里要用代号作这项措施的栏目标题(如 [study]),这个写不成标题"
                    ),
                    zh_hint="代号只能用小写英文字母、数字和下划线 _,以字母开头,"
                    f'也不能是 {" 或 ".join(RESERVED_TABLES)};例如 key = "study"',
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
                zh="没有列出任何县(市、区):counties 是空的",
                zh_hint="把 counties = [] 换成每个县(市、区)一段 [[counties]],"
                '下面两行写它的代码和名称,如 code = "410103"、name = "二七区"',
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
                    zh=f"{_county_zh(county, i)}的应报单位数 expected_units 是负数({expected}),"
                    "要写 0 或正整数",
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
                zh=f"[{table}] 里的 {key} = {quote(value)} 不是可选的写法,"
                f"只能写 {_choices_zh(choices)}",
                zh_hint="改成 " + " 或 ".join(f'{key} = "{c}"' for c in choices),
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
                except (KeyError, IndexError, ValueError, AttributeError, TypeError) as error:
                    yield Finding(
                        "E213",
                        f"{key} cannot be filled in: {error}",
                        ("remind", key),
                        on_value=True,
                        hint="use only " + ", ".join("{" + k + "}" for k in sample),
                        zh=f"{_SUBJECT_ZH[key]} {key} 填不出来:{_template_error_zh(error)}",
                        zh_hint="大括号里只能写 " + "、".join("{" + k + "}" for k in sample),
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
                        zh=f"没有 {quote(channel)} 这种发送方式",
                        zh_hint="channels 里只能写 "
                        + " 和 ".join(f'"{n}"({_CHANNEL_ZH.get(n, n)})' for n in CHANNELS),
                    )
                elif doc.get(CHANNELS[channel].table) is None:
                    table = CHANNELS[channel].table
                    yield Finding(
                        "E213",
                        f'channel "{channel}" needs a [{table}] table',
                        ("remind", "channels", i),
                        on_value=True,
                        hint=f"add [{table}] (see docs/format.md)",
                        zh=f'发送方式 "{channel}" 要有一段 [{table}] 设置,文件里没有',
                        zh_hint=f"在 campaign.toml 里加上 [{table}] 和它的各项设置"
                        f'(见 docs/format.md);不用这种方式就从 channels 里删掉 "{channel}"',
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
                        zh=f"提前提醒天数 advance_days 里写了 {days}:"
                        f"只能提前 0 到 {MAX_ADVANCE_DAYS} 天",
                        zh_hint="0 表示截止当天提醒,7 表示提前一周",
                    )
        for key in ("overdue_every", "escalate_after"):
            if isinstance(remind.get(key), int) and remind[key] < 1:
                yield Finding(
                    "E213",
                    f"{key} must be at least 1",
                    ("remind", key),
                    on_value=True,
                    zh=f"{_DAYS_ZH[key]}({key})至少是 1,现在写的是 {remind[key]}",
                )


@campaign_rule("E213")
def check_lights(doc: dict[str, Any]) -> Iterator[Finding]:
    """[lights]: percentage points from 0 to 100, yellow before red."""
    lights = doc.get("lights")
    if isinstance(lights, dict):
        yellow, red = lights.get("yellow", 10), lights.get("red", 30)
        for key, value in (("yellow", yellow), ("red", red)):
            if isinstance(value, int) and not 0 <= value <= 100:
                message = f"{key} = {value}: lights are 0 to 100 percentage points behind"
                zh = f"{key} = {value}:落后的百分点只能是 0 到 100"
                yield Finding("E213", message, ("lights", key), on_value=True, zh=zh)
        if isinstance(yellow, int) and isinstance(red, int) and yellow >= red:
            yield Finding(
                "E213",
                f"yellow ({yellow}) must be below red ({red})",
                ("lights", "yellow" if "yellow" in lights else "red"),
                on_value=True,
                hint="a row turns yellow first, red when further behind",
                zh=f"黄灯 yellow({yellow})要小于红灯 red({red})",
                zh_hint="先亮黄灯,落后更多才亮红灯,例如 yellow = 10,red = 30",
            )


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
                    zh=f"[{table}] 的等待时间 timeout 要在 1 到 600 秒之间,现在写的是 {timeout}",
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
            zh=f"端口 port = {port} 不存在:端口号在 1 到 65535 之间",
            zh_hint='security = "tls" 用 465,"starttls" 用 587,"none" 用 25',
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
                zh="[webhook] 里 url 和 url_env 要写一个,也只能写一个:"
                + ("现在两个都写了" if url is not None else "现在两个都没写"),
                zh_hint='直接写地址 url = "https://…",'
                "或者用 url_env = 存放地址的环境变量名(二选一)",
            )
        elif isinstance(url, str) and not url.startswith(("https://", "http://")):
            yield Finding(
                "E213",
                f"{quote(url)} is not an http(s) URL",
                ("webhook", "url"),
                on_value=True,
                hint="the URL starts with https://",
                zh=f"{quote(url)} 不是网址:网址要以 https:// 或 http:// 开头",
                zh_hint="网址以 https:// 开头",
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
                zh=f"第 {seen[value] + 1} 个和第 {i + 1} 个 [[{table}]] 的 {key} "
                f"都是 {quote(value)},重复了",
                zh_hint=f"每个{_UNIQUE_ZH.get(key, key)} {key} 只能用一次:"
                "改掉其中一个,或删掉重复的那一段",
            )
        else:
            seen[value] = i


def _is_zone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _measure_zh(measure: dict[str, Any], i: int) -> str:
    """A measure as a clerk knows it: by its Chinese name, else by its place."""
    name = measure.get("name")
    return f"措施 {quote(name)} " if isinstance(name, str) else f"第 {i + 1} 个措施"


def _county_zh(county: dict[str, Any], i: int) -> str:
    name = county.get("name")
    return f"{quote(name)} " if isinstance(name, str) else f"第 {i + 1} 个县(市、区)"


def _choices_zh(choices: tuple[str, ...]) -> str:
    return "、".join(f'"{c}"({_CHOICE_ZH[c]})' if c in _CHOICE_ZH else f'"{c}"' for c in choices)


def _template_error_zh(error: Exception) -> str:
    """Why str.format refused a subject, in words for a clerk rather than Python's."""
    if isinstance(error, KeyError):
        return f"没有 {quote('{' + str(error.args[0]) + '}')} 这一项"
    if isinstance(error, IndexError):
        return "大括号里要写名称,不能空着 {} 或写数字"
    if isinstance(error, ValueError) and str(error).startswith(("Single", "expected '}'")):
        return "大括号 { 和 } 没有成对;要显示大括号本身,就连写两个:{{ 或 }}"
    return "大括号里只能写名称,不能再加 : ! . [ ] 这些符号"
