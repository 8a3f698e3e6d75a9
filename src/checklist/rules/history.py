"""campaign.toml rules for [history] and [[milestones]]: values that parse but cannot work."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from checklist.load.schema import CAMPAIGN_SCHEMA
from checklist.rules.registry import Finding, campaign_rule
from checklist.words import quote

_MILESTONE = next(f for f in CAMPAIGN_SCHEMA.fields if f.name == "milestones")
_CHOICES = {f.name: f.choices for f in _MILESTONE.fields if f.choices}


@campaign_rule("E213")
def check_history(doc: dict[str, Any]) -> Iterator[Finding]:
    """[history] backdate_days is not negative; each milestone's choices, counties and count."""
    history = doc.get("history")
    days = history.get("backdate_days") if isinstance(history, dict) else None
    if isinstance(days, int) and days < 0:
        yield Finding(
            "E213",
            f"backdate_days is negative ({days})",
            ("history", "backdate_days"),
            on_value=True,
            zh=f"[history] 里的 backdate_days 是负数({days}),要写 0 或正整数",
        )
    milestones = doc.get("milestones")
    counties = doc.get("counties")
    listed = counties if isinstance(counties, list) else []
    codes = {c.get("code") for c in listed if isinstance(c, dict)}
    for i, milestone in enumerate(milestones if isinstance(milestones, list) else ()):
        if isinstance(milestone, dict):  # a wrong type is the structural check's to report
            yield from _milestone(milestone, i, codes)


def _milestone(milestone: dict[str, Any], i: int, codes: set[Any]) -> Iterator[Finding]:
    where = f"[[milestones]] #{i + 1}"
    where_zh = f"第 {i + 1} 个 [[milestones]]"
    for key, choices in _CHOICES.items():
        value = milestone.get(key)
        if isinstance(value, str) and value not in choices:
            yield Finding(
                "E213",
                f"{key} = {quote(value)} in {where} is not one of {', '.join(choices)}",
                ("milestones", i, key),
                on_value=True,
                hint=f"write one of {', '.join(choices)}",
                zh=f"{where_zh} 里的 {key} = {quote(value)} 不是可选的写法,"
                f"只能写 {'、'.join(choices)}",
                zh_hint="改成 " + " 或 ".join(f'{key} = "{c}"' for c in choices),
            )
    named = milestone.get("counties")
    for j, code in enumerate(named if isinstance(named, list) else ()):
        if isinstance(code, str) and code not in codes:
            yield Finding(
                "E213",
                f"{where} names the county {quote(str(code))}, which [[counties]] does not list",
                ("milestones", i, "counties", j),
                on_value=True,
                zh=f"{where_zh} 里的区县代码 {quote(str(code))} 在 [[counties]] 里没有",
            )
    expected = milestone.get("expected_units")
    if isinstance(expected, int) and expected < 0:
        yield Finding(
            "E213",
            f"expected_units in {where} is negative ({expected})",
            ("milestones", i, "expected_units"),
            on_value=True,
            zh=f"{where_zh} 里的 expected_units 是负数({expected}),要写 0 或正整数",
        )
