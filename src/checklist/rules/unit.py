"""Rules on the [unit] table: county, level, id, and the folder the file sits in."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from typing import Any

from checklist.load.schema import ID_PATTERN, UNIT_TABLE
from checklist.rules.context import Context, good
from checklist.rules.registry import Finding, unit_rule
from checklist.words import did_you_mean, quote

_LEVEL_FIELD = UNIT_TABLE.child("level")
assert _LEVEL_FIELD is not None
_LEVELS = _LEVEL_FIELD.choices  # the schema's choices are the ones enforced
_LEVEL_ALIASES = {"县级": "county", "县处级": "county", "领导班子": "county", "基层": "grassroots"}


@unit_rule("E201", "E202", "E210")
def check_unit_table(doc: dict[str, Any], ctx: Context) -> Iterator[Finding]:
    """The unit's county, level and id."""
    unit = doc.get("unit")
    county = good(unit, "county")
    if isinstance(county, str) and county.strip() and ctx.campaign.county(county) is None:
        hint, zh_hint = _county_hint(county, ctx)
        yield Finding(
            "E201",
            f"unknown county {quote(county)}",
            ("unit", "county"),
            on_value=True,
            hint=hint,
            zh=f"区县(county)写的是 {quote(county)},campaign.toml 里没有这个区县",
            zh_hint=zh_hint,
        )
    level = good(unit, "level")
    levels = list(_LEVELS)
    if isinstance(level, str) and level.strip() and level not in levels:
        guess = _LEVEL_ALIASES.get(level.strip()) or did_you_mean(level, levels)
        hint = f'did you mean "{guess}"?' if guess else 'write "county" or "grassroots"'
        zh_hint = (
            f'是不是要写 level = "{guess}"?'
            if guess
            else '写 level = "county"(县处级领导班子)或 level = "grassroots"(基层单位)'
        )
        yield Finding(
            "E202",
            f'unknown level {quote(level)}: it is "county" (county-level '
            'leadership team) or "grassroots"',
            ("unit", "level"),
            on_value=True,
            hint=hint,
            zh=f"层级(level)写的是 {quote(level)},只能写 "
            '"county"(县处级领导班子)或 "grassroots"(基层单位)',
            zh_hint=zh_hint,
        )
    unit_id = good(unit, "id")
    if isinstance(unit_id, str):
        if unit_id.strip() and not re.fullmatch(ID_PATTERN, unit_id):
            yield Finding(
                "E210",
                f"unit id {quote(unit_id)} has characters ids cannot have",
                ("unit", "id"),
                on_value=True,
                hint="use letters, digits, '.', '_' and '-', like erqi-committee",
                zh=f"单位编号(id){quote(unit_id)} 里有编号不能用的字符",
                zh_hint="编号只用英文字母、数字和 . _ - 这三个符号,例如 erqi-committee",
            )
    elif isinstance(unit, dict) and "id" not in unit and not re.fullmatch(ID_PATTERN, ctx.stem):
        yield Finding(
            "E210",
            f"the file name gives the unit id {quote(ctx.stem)}, which has "
            "characters ids cannot have",
            ("unit",),
            hint='add id = "…" under [unit] (letters, digits, ".", "_", "-")',
            zh=f"没写单位编号(id),就用文件名 {quote(ctx.stem)} 当编号,"
            "但这个文件名里有编号不能用的字符",
            zh_hint='在 [unit] 下面加一行 id = "…"(只用英文字母、数字和 . _ - 这三个符号)',
        )


def _county_hint(text: str, ctx: Context) -> tuple[str, str]:
    """The hint for an unknown county, in English and for a clerk."""
    campaign = ctx.campaign
    for folder in ctx.folders:
        home = campaign.county(folder)
        if home is not None:
            return (
                f'did you mean "{home.code}" ({home.name}), the county of this folder?',
                f'是不是要写 county = "{home.code}"({home.name})?'
                "这个文件所在的文件夹就是这个区县的",
            )
    # A code of the right length is more likely another county than a typo: no guess.
    codes = [c.code for c in campaign.counties if len(c.code) != len(text.strip())]
    names = {c.name: c for c in campaign.counties}
    guess = did_you_mean(text, codes)
    match = campaign.county(guess) if guess else None
    if match is None:
        candidates = [c for name, c in names.items() if text.strip() in name or name in text]
        if not candidates:
            close = difflib.get_close_matches(text, list(names), n=1, cutoff=0.5)
            candidates = [names[close[0]]] if close else []
        match = candidates[0] if len(candidates) == 1 else None
    if match:
        return (
            f'did you mean "{match.code}" ({match.name})?',
            f'是不是要写 county = "{match.code}"({match.name})?',
        )
    shown = campaign.counties[:20]
    listed = ", ".join(f"{c.code} {c.name}" for c in shown)
    listed_zh = "、".join(f"{c.code} {c.name}" for c in shown)
    return (
        f"use a county code from campaign.toml: {listed}",
        f"填写 campaign.toml 里列出的区县代码:{listed_zh}",
    )


@unit_rule("W405")
def check_county_folder(doc: dict[str, Any], ctx: Context) -> Iterator[Finding]:
    """A file filed under one county's folder but naming another."""
    county = ctx.campaign.county(good(doc.get("unit"), "county") or "")
    if county is None:
        return
    for folder in ctx.folders:
        other = ctx.campaign.county(folder)
        if other is not None and other != county:
            yield Finding(
                "W405",
                f"the file is in the folder of {other.code} ({other.name}), "
                f"but its county is {county.code} ({county.name})",
                ("unit", "county"),
                on_value=True,
                hint="move the file to its county's folder, or correct county",
                zh=f"文件放在 {other.code}({other.name})的文件夹里,"
                f"但它写的区县是 {county.code}({county.name})",
                zh_hint=f"把文件移到 {county.code}({county.name})的文件夹里;"
                f'如果是区县写错了,就改成 county = "{other.code}"',
            )
            return
