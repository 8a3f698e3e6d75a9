"""Every user-facing string of the reports, in English and Chinese, in one catalogue."""

from __future__ import annotations

import enum
import os


class Lang(enum.StrEnum):
    EN = "en"
    ZH = "zh"


def default_lang() -> Lang:
    """Chinese when the locale says so (LC_ALL, then LC_MESSAGES, then LANG), else English."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value:
            return Lang.ZH if value.lower().startswith("zh") else Lang.EN
    return Lang.EN


CATALOGUE: dict[str, tuple[str, str]] = {
    # column headers
    "code": ("Code", "代码"),
    "note": ("Note", "备注"),
    "county": ("County", "区县"),
    "unit": ("Unit", "单位"),
    "level": ("Level", "层级"),
    "measure": ("Measure", "措施"),
    "task": ("Task", "任务"),
    "owner": ("Owner", "责任人"),
    "due": ("Due", "截止日期"),
    "done_on": ("Done", "完成日期"),
    "days_overdue": ("Days overdue", "逾期天数"),
    "state": ("State", "状态"),
    "units": ("Units", "单位数"),
    "expected": ("Expected", "应报"),
    "missing": ("Missing", "缺报"),
    "tasks": ("Tasks", "任务数"),
    "done": ("Done", "已完成"),
    "done_late": ("Done late", "逾期完成"),
    "open": ("Open", "未完成"),
    "overdue": ("Overdue", "已逾期"),
    "due_soon": ("Due soon", "即将到期"),
    "completion": ("Done %", "完成率"),
    "on_time": ("On time %", "按期率"),
    "total": ("Total", "全市合计"),
    "postponed": ("Postponed", "已延期"),
    # states
    "state.done": ("done", "已完成"),
    "state.done_late": ("done late", "逾期完成"),
    "state.overdue": ("overdue", "已逾期"),
    "state.due_soon": ("due soon", "即将到期"),
    "state.open": ("open", "未到期"),
    # levels
    "level.county": ("county", "县处级"),
    "level.grassroots": ("grassroots", "基层"),
    # sentences
    "summary": (
        "{overdue} overdue, {soon} due in the next {days} days, across {units} {units_word} "
        "in {counties} {counties_word}",
        "逾期 {overdue} 项,{days} 天内到期 {soon} 项,涉及 {counties} 个区县的 {units} 个单位",
    ),
    "summary.all": ("{tasks} tasks listed", "共列出 {tasks} 项任务"),
    "nothing": ("Nothing is overdue as of {as_of}.", "截至 {as_of},没有逾期任务。"),
    "as_of": ("as of {as_of}", "截至 {as_of}"),
    "skipped": (
        "{count} file(s) with problems were left out of these figures; "
        "run `checklist validate` to see what is wrong.",
        "{count} 个文件有问题,未计入统计;运行 `checklist validate` 查看详情。",
    ),
    "worst": ("worst", "落后"),
    "section.overdue": ("Overdue", "已逾期"),
    "section.due_soon": ("Due in the next {days} days", "{days} 天内到期"),
    "section.all": ("All tasks", "全部任务"),
    "rollup.title": ("Roll-up by {by}, as of {as_of}", "按{by}汇总,截至 {as_of}"),
}


def t(key: str, lang: Lang, /, **values: object) -> str:
    """The text for ``key`` in ``lang``, with ``values`` filled in."""
    english, chinese = CATALOGUE[key]
    text = chinese if lang is Lang.ZH else english
    return text.format(**values) if values else text
