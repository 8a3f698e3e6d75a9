"""Rules on sectors and liaison groups: [[groups]] in campaign.toml, each unit's place,
and the [bulletin] the office issues.

A group that names a sector or a group that does not exist cannot work, so it stops
the campaign like every campaign.toml rule. A county no longer listed, or a contact's
address no channel can use, spoils one group only: a warning (W410, W411) that
``validate`` reports in campaign.toml while every command runs. A unit no group
covers, or two groups share, is valid but probably not what the office meant: a
warning in its file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from checklist.groups import clashes, covering
from checklist.model import DEFAULT_SECTORS
from checklist.rules.context import EMAIL, Context, angled, good
from checklist.rules.registry import Finding, campaign_rule, unit_rule
from checklist.words import did_you_mean, quote


@campaign_rule("E213")
def check_groups(doc: dict[str, Any]) -> Iterator[Finding]:
    """[[groups]]: names unique; sectors and groups named exist; subgroups a forest."""
    groups = doc.get("groups")
    if not isinstance(groups, list):
        return
    campaign = doc.get("campaign")
    declared = good(campaign, "sectors")
    sectors = set(declared if isinstance(declared, list) else DEFAULT_SECTORS)
    names: dict[str, int] = {}
    for i, group in enumerate(groups):
        name = group.get("name")
        if isinstance(name, str):
            if name in names:
                yield _finding(
                    f"the group name {quote(name)} is used twice (#{names[name] + 1} and #{i + 1})",
                    f"第 {names[name] + 1} 个和第 {i + 1} 个联络组都叫 {quote(name)},重名了",
                    (i, "name"),
                )
            names.setdefault(name, i)
    parent: dict[str, str] = {}
    for i, group in enumerate(groups):
        where, where_zh = f"[[groups]] #{i + 1}", f"第 {i + 1} 个联络组"
        # A county no longer listed is not an error: removing a county must not stop the
        # campaign; the group covers nothing there, and W408 names any unit left uncovered.
        for key, allowed, what, what_zh in (
            ("sectors", sectors, "sector", "领域(sector)"),
            ("subgroups", set(names), "group", "联络组"),
            ("overlaps", set(names), "group", "联络组"),
        ):
            values = group.get(key)
            for j, value in enumerate(values if isinstance(values, list) else ()):
                if isinstance(value, str) and value not in allowed:
                    yield _finding(
                        f"{where} names the {what} {quote(value)} in {key}, which does not exist",
                        f"{where_zh}的 {key} 里写的{what_zh} {quote(value)} 不存在",
                        (i, key, j),
                    )
        name = group.get("name")
        subgroups = group.get("subgroups")
        for j, child in enumerate(subgroups if isinstance(subgroups, list) else ()):
            if not isinstance(child, str) or child not in names or not isinstance(name, str):
                continue
            if child in parent:
                yield _finding(
                    f"the group {quote(child)} is a subgroup of both {quote(parent[child])} "
                    f"and {quote(name)}",
                    f"联络组 {quote(child)} 同时是 {quote(parent[child])} "
                    f"和 {quote(name)} 的下级组",
                    (i, "subgroups", j),
                )
            else:
                parent[child] = name
    for name, i in names.items():
        seen = [name]
        while seen[-1] in parent and parent[seen[-1]] not in seen:
            seen.append(parent[seen[-1]])
        if seen[-1] in parent and parent[seen[-1]] == name:
            yield _finding(
                f"the group {quote(name)} is its own subgroup, through {', '.join(seen[1:])}"
                if len(seen) > 1
                else f"the group {quote(name)} is its own subgroup",
                f"联络组 {quote(name)} 成了自己的下级组",
                (i, "subgroups"),
            )


# campaign.toml's warnings: reported by validate, they do not stop the campaign.
CAMPAIGN_WARNINGS = frozenset({"W410", "W411"})
# A webhook address as [webhook] url takes it: http(s), a host, no spaces or angles.
URL = re.compile(r"^https?://[^\s<>\"/]+(?:/[^\s<>\"]*)?$")


@campaign_rule("W410")
def check_group_counties(doc: dict[str, Any]) -> Iterator[Finding]:
    """A county a group names must be listed (by code or name), else it covers nothing."""
    groups, counties = doc.get("groups"), doc.get("counties")
    if not isinstance(groups, list) or not isinstance(counties, list):
        return
    known = [c for c in counties if isinstance(c, dict)]
    codes: list[str] = [c["code"] for c in known if isinstance(c.get("code"), str)]
    names: list[str] = [c["name"] for c in known if isinstance(c.get("name"), str)]
    pairs = [
        f"{c['code']} {c['name']}" if isinstance(c.get("name"), str) else str(c["code"])
        for c in known
        if isinstance(c.get("code"), str)
    ]
    listed, listed_zh = ", ".join(pairs), "、".join(pairs)
    for i, group in enumerate(groups):
        values = group.get("counties") if isinstance(group, dict) else None
        for j, value in enumerate(values if isinstance(values, list) else ()):
            if not isinstance(value, str) or value in codes or value in names:
                continue
            guess = did_you_mean(value, [*codes, *names])
            yield Finding(
                "W410",
                f"[[groups]] #{i + 1} names the county {quote(value)}, which [[counties]] "
                f"does not list: the group covers nothing there; the counties are {listed}",
                ("groups", i, "counties", j),
                on_value=True,
                hint=f"did you mean {quote(guess)}?"
                if guess
                else "write one of the county codes (or names) above, or remove it",
                zh=f"第 {i + 1} 个联络组的 counties 里写的 {quote(value)} 不在 [[counties]] "
                f"名单里,这个组在那里管不到任何单位;名单里有:{listed_zh}",
                zh_hint=f"是不是要写 {quote(guess)}?"
                if guess
                else "改成上面名单里的县(市、区)代码或名称,或者删掉它",
            )


@campaign_rule("W411")
def check_group_contacts(doc: dict[str, Any]) -> Iterator[Finding]:
    """A group contact's address is an e-mail address or a webhook URL, as the channels
    take them; a name alone is fine (its digest then has nowhere to go by e-mail)."""
    groups = doc.get("groups")
    for i, group in enumerate(groups if isinstance(groups, list) else ()):
        text = good(group, "contact")
        marks = isinstance(text, str) and ("://" in text or any(c in text for c in "<>@"))
        if not isinstance(text, str) or not marks:
            continue
        found = angled(text)
        address = found[1] if found else text.strip()
        if (found is None and ("<" in text or ">" in text)) or not _reachable(address):
            yield Finding(
                "W411",
                f"the contact {quote(text)} of [[groups]] #{i + 1} has no address its digest "
                "can go to: write an e-mail address or a webhook URL",
                ("groups", i, "contact"),
                on_value=True,
                hint='write "李明 <lm@example.cn>" or "二组 <https://example.cn/hook>"',
                zh=f"第 {i + 1} 个联络组的联系人 {quote(text)} 的地址不对,督办提醒送不到:"
                "要写电子邮箱或 http(s):// 开头的群机器人地址",
                zh_hint='照这个样子写:"李明 <lm@example.cn>" 或 "二组 <https://example.cn/hook>"',
            )


def _reachable(address: str) -> bool:
    return bool(EMAIL.fullmatch(address) or URL.fullmatch(address))


@campaign_rule("E213")
def check_bulletin(doc: dict[str, Any]) -> Iterator[Finding]:
    """[bulletin] office, title and number say something: a blank one heads no document."""
    table = doc.get("bulletin")
    for key in ("office", "title", "number"):
        value = good(table, key)
        if isinstance(value, str) and not value.strip():
            yield Finding(
                "E213",
                f"[bulletin] {key} is empty",
                ("bulletin", key),
                on_value=True,
                hint=f"write the {key} or remove the line",
                zh=f"[bulletin] 里的 {key} 是空的",
                zh_hint=f"填上 {key},或者删掉这一行",
            )


@campaign_rule("E213")
def check_group_after(doc: dict[str, Any]) -> Iterator[Finding]:
    """[remind] group_after: at least 1 day, as the other rungs of the ladder."""
    remind = doc.get("remind")
    days = remind.get("group_after") if isinstance(remind, dict) else None
    if isinstance(days, int) and days < 1:
        yield Finding(
            "E213",
            "group_after must be at least 1",
            ("remind", "group_after"),
            on_value=True,
            zh=f"逾期几天后报联络组(group_after)至少是 1,现在写的是 {days}",
        )


def _finding(message: str, zh: str, path: tuple[str | int, ...]) -> Finding:
    return Finding("E213", message, ("groups", *path), on_value=True, zh=zh)


@unit_rule("E214", "W408", "W409")
def check_unit_groups(doc: dict[str, Any], ctx: Context) -> Iterator[Finding]:
    """The unit's sector is one of the campaign's; some group covers it, two only on purpose."""
    unit = doc.get("unit")
    sector = good(unit, "sector")
    if isinstance(sector, str) and sector.strip() and sector not in ctx.campaign.sectors:
        guess = did_you_mean(sector, list(ctx.campaign.sectors))
        listed = "、".join(ctx.campaign.sectors)
        yield Finding(
            "E214",
            f"unknown sector {quote(sector)}: "
            f"campaign.toml lists {', '.join(ctx.campaign.sectors)}",
            ("unit", "sector"),
            on_value=True,
            hint=f'did you mean "{guess}"?' if guess else "write one of the campaign's sectors",
            zh=f"领域(sector)写的是 {quote(sector)},campaign.toml 里只有 {listed}",
            zh_hint=f'是不是要写 sector = "{guess}"?' if guess else f"从 {listed} 里选一个",
        )
        return
    county_text = good(unit, "county")
    county = ctx.campaign.county(county_text) if isinstance(county_text, str) else None
    if not ctx.campaign.groups or county is None or not isinstance(unit, dict):
        return
    unit_id = good(unit, "id")
    unit_id = unit_id if isinstance(unit_id, str) else ctx.stem
    groups = covering(
        ctx.campaign,
        county=county.code,
        sector=sector if isinstance(sector, str) else None,
        unit_id=unit_id,
    )
    if not groups:
        yield Finding(
            "W408",
            f"no liaison group covers this unit (county {county.name}, "
            f"sector {quote(sector) if isinstance(sector, str) else 'none'})",
            ("unit",),
            hint="give it a sector a group covers, or name its id in a group's units",
            zh=f"没有哪个联络组负责这个单位({county.name},"
            f"领域 {quote(sector) if isinstance(sector, str) else '未写'})",
            zh_hint="给它写上某个联络组负责的领域 sector,或者把它的 id 写进某个组的 units",
        )
    for first, second in clashes(ctx.campaign, groups):
        yield Finding(
            "W409",
            f"the liaison groups {quote(first)} and {quote(second)} both cover this unit",
            ("unit",),
            hint=f"if that is meant, name {quote(second)} in the overlaps of {quote(first)}",
            zh=f"联络组 {quote(first)} 和 {quote(second)} 都负责这个单位",
            zh_hint=f"如果本来就是这样安排的,在 {quote(first)} 的 overlaps 里写上 {quote(second)}",
        )
