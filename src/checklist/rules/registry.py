"""The registry of validation rules: stable codes, names and severities, and the checks.

Checks emit ``Finding``s that name a rule by code; docs/rules.md, the JSON
output and ``--strict`` all read this one table. Each check is a named function
registered here with the codes it emits: unit-file checks by ``unit_rule``,
campaign.toml checks by ``campaign_rule``.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from checklist.model import Severity
from checklist.rules.catalogue import WARNINGS, Rule

if TYPE_CHECKING:
    from checklist.rules.context import Context


_E = Severity.ERROR

RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in (
        # The file itself.
        Rule(
            "E001",
            "unreadable",
            _E,
            "The file or folder cannot be read (permissions, not a regular file, a broken link).",
            zh_summary="文件或文件夹打不开:没有读取权限、不是普通文件,或是一个失效的链接。",
        ),
        Rule(
            "E002",
            "not-utf8",
            _E,
            "The file is binary or not UTF-8 text.",
            zh_summary="文件不是 UTF-8 编码的文字:可能是另存成了 GBK 编码,或根本不是文字文件。",
        ),
        Rule(
            "E003",
            "empty-file",
            _E,
            "The file is empty or holds only comments.",
            zh_summary="文件是空的,或者只有注释(# 开头的行)。",
        ),
        Rule(
            "E004",
            "too-large",
            _E,
            "The file is larger than a unit file can sensibly be (1 MiB).",
            zh_summary="文件太大(超过 1 MiB),一个单位的清单不会有这么长。",
        ),
        Rule(
            "E005",
            "toml-syntax",
            _E,
            "The file is not valid TOML.",
            zh_summary="文件的写法不符合 TOML 格式,比如文字两边没加引号、括号不成对。",
        ),
        Rule(
            "E006",
            "invalid-date",
            _E,
            "A date that does not exist, such as 2023-02-30.",
            zh_summary="写了一个不存在的日期,比如 2023-02-30。",
        ),
        Rule(
            "E007",
            "outside-campaign",
            _E,
            "A file or folder whose real path is outside the campaign folder (a link), "
            "refused unread without --follow-outside.",
            zh_summary="文件或文件夹实际在活动文件夹之外(通过链接指过去的),"
            "不加 --follow-outside 就不读取。",
        ),
        Rule(
            "E008",
            "check-failed",
            _E,
            "Checking the file failed: a bug in checklist.",
            zh_summary="检查这个文件时程序自身出错了:这是 checklist 的毛病,请报告给维护人员。",
        ),
        # The shape of the file.
        Rule(
            "E101",
            "unknown-key",
            _E,
            "A key or table the format does not have (a typo?).",
            zh_summary="写了格式里没有的一项或一个 [栏目],多半是拼错了。",
        ),
        Rule(
            "E102",
            "missing-key",
            _E,
            "A required key or table is absent.",
            zh_summary="缺了必须填写的一项或一个 [栏目]。",
        ),
        Rule(
            "E103",
            "wrong-type",
            _E,
            "A value of the wrong type, e.g. a number where text belongs.",
            zh_summary="这一项的值写法不对,比如该写文字的地方写了数字。",
        ),
        Rule(
            "E104",
            "date-as-string",
            _E,
            "A date written in quotes, which makes it text.",
            zh_summary="日期加了引号就成了文字:要写 due = 2023-10-31,不加引号。",
        ),
        Rule(
            "E105",
            "misplaced-key",
            _E,
            "A key that is valid only elsewhere.",
            zh_summary="这一项本身没错,但放错了地方,它只能写在别的栏目里。",
        ),
        # The values.
        Rule(
            "E201",
            "unknown-county",
            _E,
            "The unit's county is not in campaign.toml.",
            zh_summary="单位所属县(市、区)的代码不在 campaign.toml 的名单里。",
        ),
        Rule(
            "E202",
            "unknown-level",
            _E,
            'The unit\'s level is neither "county" nor "grassroots".',
            zh_summary='单位层级 level 只能写 "county"(县级)或 "grassroots"(基层)。',
        ),
        Rule(
            "E203",
            "empty-text",
            _E,
            "A name, title, owner or contact that is empty.",
            zh_summary="名称、任务标题、责任人或联系人是空的。",
        ),
        Rule(
            "E204",
            "control-character",
            _E,
            "Control, bidi or line-separator characters in any text; zero-width and other "
            "invisible characters in names, owners, contacts, ids, addresses and keys.",
            zh_summary="文字里有控制字符、改变文字方向的字符或分行字符;"
            "名称、责任人、联系人、编号、邮箱和项名里还不能有零宽字符等看不见的字符。",
        ),
        Rule(
            "E205",
            "invalid-recurrence",
            _E,
            "A repeat rule that is neither a shorthand nor RRULE.",
            zh_summary='重复规则 repeat 写得不对:既不是 "weekly"、"每周" 这样的简写,'
            "也不是 RRULE 写法。",
        ),
        Rule(
            "E206",
            "due-outside-campaign",
            _E,
            "A due date before the campaign start or after its end.",
            zh_summary="截止日期早于活动开始,或晚于活动结束。",
        ),
        Rule(
            "E207",
            "done-in-future",
            _E,
            "A done date after today (in the campaign's time zone).",
            day_dependent=True,
            zh_summary="完成日期在今天之后(按活动所在时区算)。",
        ),
        Rule(
            "E208",
            "done-before-start",
            _E,
            "A done date before the campaign started.",
            zh_summary="完成日期早于活动开始。",
        ),
        Rule(
            "E209",
            "bad-address",
            _E,
            "An e-mail address that cannot be one.",
            zh_summary="邮箱地址写得不对,不可能是一个能收信的地址。",
        ),
        Rule(
            "E210",
            "bad-id",
            _E,
            "A unit or task id with spaces or other unusable characters.",
            zh_summary="单位或任务的编号 id 里有空格或其他不能用的字符。",
        ),
        Rule(
            "E211",
            "too-many-done",
            _E,
            "More done dates than the repeating task has occurrences.",
            zh_summary="重复任务填的完成日期,比它在活动期间应做的次数还多。",
        ),
        Rule(
            "E212",
            "duplicate-task-id",
            _E,
            "Two tasks of one unit share an id.",
            zh_summary="同一个单位的两项任务用了同一个编号 id。",
        ),
        Rule(
            "E213",
            "bad-config-value",
            _E,
            "A campaign.toml value that cannot work.",
            zh_summary="campaign.toml 里有一个值没法用,比如结束日期早于开始日期、时区不存在。",
        ),
        Rule(
            "E214",
            "unknown-sector",
            _E,
            "A unit's sector is not one of the campaign's sectors.",
            zh_summary="单位的领域 sector 不在活动配置列出的领域里。",
        ),
        Rule(
            "E215",
            "bad-due-workdays",
            _E,
            "due_workdays without from (or the reverse), with due too, or not from 1 to 2500.",
            zh_summary="工作日期限算不出:缺 due_workdays 或 from,又写了 due,或不在 1 到 2500。",
        ),
        Rule(
            "E216",
            "bad-shift",
            _E,
            'shift is not "before", "after" or "none".',
            zh_summary='休息日调整方式 shift 只能写 "before"、"after" 或 "none"。',
        ),
        # Across files.
        Rule(
            "E301",
            "duplicate-unit-id",
            _E,
            "Two unit files share a unit id.",
            zh_summary="两个单位文件用了同一个单位编号 id。",
        ),
        *WARNINGS,
    )
}

KeyPath = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem before it is located: it names a key path, or a known position."""

    code: str
    message: str
    path: KeyPath = ()
    on_value: bool = False  # point at the value rather than the key
    hint: str | None = None
    line: int | None = None
    column: int | None = None
    end_column: int | None = None
    # The same, written for a clerk who reads Chinese (not a translation of the jargon).
    zh: str = ""
    zh_hint: str | None = None

    @property
    def rule(self) -> Rule:
        return RULES[self.code]


def day_dependent_codes() -> frozenset[str]:
    """Codes whose verdict changes with the report day (today only E207)."""
    return _DAY_DEPENDENT


_DAY_DEPENDENT = frozenset(code for code, rule in RULES.items() if rule.day_dependent)

UnitCheck = Callable[[dict[str, Any], "Context"], Iterator[Finding]]
CampaignCheck = Callable[[dict[str, Any]], Iterator[Finding]]

_UNIT_CHECKS: list[UnitCheck] = []
_CAMPAIGN_CHECKS: list[CampaignCheck] = []
EMITS: dict[str, tuple[str, ...]] = {}  # check name -> the codes it may emit

# The topic modules, in the order their checks run; each registers itself on import.
_UNIT_MODULES = ("text", "unit", "people", "tasks", "dates", "recurrence", "shift", "groups")


def unit_rule(*codes: str) -> Callable[[UnitCheck], UnitCheck]:
    """Register a unit-file check that emits ``codes``; each runs on every unit file."""

    def register(function: UnitCheck) -> UnitCheck:
        _UNIT_CHECKS.append(function)
        EMITS[function.__name__] = codes
        return function

    return register


def campaign_rule(*codes: str) -> Callable[[CampaignCheck], CampaignCheck]:
    """Register a campaign.toml check that emits ``codes``."""

    def register(function: CampaignCheck) -> CampaignCheck:
        _CAMPAIGN_CHECKS.append(function)
        EMITS[function.__name__] = codes
        return function

    return register


@functools.cache
def unit_checks() -> tuple[UnitCheck, ...]:
    """Every unit-file check, in order: importing the topic modules registers them."""
    for name in _UNIT_MODULES:
        importlib.import_module(f"checklist.rules.{name}")
    return tuple(_UNIT_CHECKS)


@functools.cache
def campaign_checks() -> tuple[CampaignCheck, ...]:
    """Every campaign.toml check, in order."""
    importlib.import_module("checklist.rules.campaign")
    importlib.import_module("checklist.rules.history")
    importlib.import_module("checklist.rules.groups")
    return tuple(_CAMPAIGN_CHECKS)
