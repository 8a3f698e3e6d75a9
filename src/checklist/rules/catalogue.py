"""The rules' shape, and the warnings: valid files, but probably not what was meant.

The registry (rules/registry.py) holds every code; the warnings live here so that
neither module grows past a few screens.
"""

from __future__ import annotations

from dataclasses import dataclass

from checklist.model import Severity


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str
    # The report day changes the verdict: a cached result with this code must be redone.
    day_dependent: bool = False
    zh_summary: str = ""  # the summary for a clerk who reads Chinese


_W = Severity.WARNING

WARNINGS: tuple[Rule, ...] = (
    Rule(
        "W401",
        "duplicate-task-title",
        _W,
        "Two tasks of one measure have the same title.",
        zh_summary="同一项措施里有两项任务的标题一模一样。",
    ),
    Rule(
        "W402",
        "done-out-of-order",
        _W,
        "A repeating task's done dates are not in order.",
        zh_summary="重复任务的完成日期没有按先后顺序写。",
    ),
    Rule(
        "W403",
        "no-occurrences",
        _W,
        "A repeating task has no occurrence in the campaign.",
        zh_summary="重复任务在活动期间一次也轮不到。",
    ),
    Rule(
        "W404",
        "postpone-incomplete",
        _W,
        "A postponement without its reason, or the reverse.",
        zh_summary="写了原截止日期 postponed_from 却没写延期原因 postpone_reason,或者反过来。",
    ),
    Rule(
        "W405",
        "county-folder",
        _W,
        "The file sits in another county's folder.",
        zh_summary="文件放在了别的县(市、区)的文件夹里。",
    ),
    Rule(
        "W406",
        "invisible-character",
        _W,
        "A zero-width or other invisible character in a title, note or reason.",
        zh_summary="标题、备注或原因里有零宽字符等看不见的字符。",
    ),
    Rule(
        "W407",
        "byte-order-mark",
        _W,
        "The file starts with a UTF-8 byte-order mark, which editors' TOML tools "
        "(taplo, tombi) and check-jsonschema refuse.",
        zh_summary="文件开头有看不见的 BOM 标记(记事本存成“UTF-8 带 BOM”时会加上),"
        "编辑器的 TOML 工具(taplo、tombi)和 check-jsonschema 都不认。",
    ),
    Rule(
        "W408",
        "no-group",
        _W,
        "No liaison group covers the unit (the campaign declares [[groups]]).",
        zh_summary="没有哪个联络组负责这个单位(活动配置里列了联络组时)。",
    ),
    Rule(
        "W409",
        "group-overlap",
        _W,
        "Two liaison groups cover the unit and neither names the other in overlaps.",
        zh_summary="两个联络组都负责这个单位,而配置里没有说明允许交叉(overlaps)。",
    ),
    Rule(
        "W410",
        "group-unknown-county",
        _W,
        "A liaison group names a county campaign.toml does not list: it covers nothing there.",
        zh_summary="联络组写的县(市、区)不在 campaign.toml 的名单里,这个组在那里管不到任何单位。",
    ),
    Rule(
        "W411",
        "group-contact-address",
        _W,
        "A liaison group's contact has an address that is neither an e-mail address nor a "
        "webhook URL (http:// or https://): its digests cannot reach it.",
        zh_summary="联络组联系人的地址既不是电子邮箱,也不是 http:// 或 https:// 开头的"
        "群机器人地址,督办提醒送不到。",
    ),
    Rule(
        "W412",
        "shift-without-repeat",
        _W,
        "shift is given where no repeating task uses it: a one-off due date stays put.",
        zh_summary="写了 shift,但没有重复任务用到它:一次性任务的截止日期不会调整。",
    ),
)
