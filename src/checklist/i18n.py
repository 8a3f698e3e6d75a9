"""Every user-facing string of the reports, in English and Chinese, in one catalogue."""

from __future__ import annotations

import enum
import os


class Lang(enum.StrEnum):
    EN = "en"
    ZH = "zh"


def choose_lang(flag: str | None = None, configured: str | None = None) -> Lang:
    """The language to speak: --lang, else the locale's, else the campaign's, else English.

    A locale that names no language (unset, C, POSIX: cron, most CI containers) defers to
    ``configured``, the campaign's ``lang``; one that does (zh_CN.GBK, en_US.UTF-8) wins.
    """
    if flag:
        return Lang(flag)
    return locale_lang() or (Lang(configured) if configured else Lang.EN)


def locale_lang() -> Lang | None:
    """What LC_ALL, then LC_MESSAGES, then LANG says; None when it names no language."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value:
            language = value.split(".")[0].split("@")[0].lower()
            if language in ("c", "posix"):
                return None
            return Lang.ZH if language.startswith("zh") else Lang.EN
    return None


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
    "postponed_from": ("Postponed from", "原截止日期"),
    "reason": ("Reason", "延期原因"),
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
    "summary.postponed": ("; {count} postponed", ";另有 {count} 项延期"),
    "summary.all": ("{tasks} tasks listed", "共列出 {tasks} 项任务"),
    "nothing": ("Nothing is overdue as of {as_of}.", "截至 {as_of},没有逾期任务。"),
    "as_of": ("as of {as_of}", "截至 {as_of}"),
    "skipped": (
        "{count} file(s) with problems were left out of these figures; "
        "run `checklist validate` to see what is wrong.",
        "{count} 个文件有问题,未计入统计;运行 `checklist validate` 查看详情。",
    ),
    "refused": (
        "error: {file}: {message}; it is left out of these figures.",
        "错误:{file}:{message};未计入统计。",
    ),
    "worst": ("worst", "落后"),
    "section.overdue": ("Overdue", "已逾期"),
    "section.due_soon": ("Due in the next {days} days", "{days} 天内到期"),
    "section.all": ("All tasks", "全部任务"),
    "remind.subject": (
        "[{campaign}] {name}: {overdue} overdue, {soon} due soon ({date})",
        "【{campaign}】{name}:逾期 {overdue} 项,即将到期 {soon} 项({date})",
    ),
    "remind.escalation.subject": (
        "[{campaign}] Escalation: {unit} has {count} task(s) overdue {days}+ days ({date})",
        "【{campaign}】督办:{unit} 有 {count} 项任务逾期 {days} 天以上({date})",
    ),
    "remind.greeting": ("Dear {name},", "{name}同志:"),
    "remind.intro": (
        "These tasks of yours are overdue or due soon, as of {date}:",
        "截至 {date},您负责的以下任务已逾期或即将到期:",
    ),
    "remind.escalation.intro": (
        "{unit} has {count} task(s) overdue by {days} days or more, as of {date}:",
        "截至 {date},{unit} 有 {count} 项任务逾期 {days} 天以上:",
    ),
    "remind.section.soon": ("Due soon", "即将到期"),
    "remind.overdue_days": ("{days} days overdue", "逾期 {days} 天"),
    "remind.overdue_one": ("1 day overdue", "逾期 1 天"),
    "remind.due_tomorrow": ("due tomorrow", "明天到期"),
    "remind.due_today": ("due today", "今天到期"),
    "remind.due_on": ("due {date}", "截止 {date}"),
    "remind.due_in": ("due in {days} days", "{days} 天后到期"),
    "remind.signature": ("-- {campaign} (sent by checklist)", "—— {campaign}(checklist 自动发送)"),
    "remind.undeliverable": (
        "Could not deliver ({count}):",
        "无法送达({count}):",
    ),
    "remind.no_address": ("no e-mail address", "没有邮箱地址"),
    "remind.no_address_of": ("{name} ({unit}, no address)", "{name}({unit},无邮箱地址)"),
    "remind.header.to": ("To: ", "收件人:"),
    "remind.header.cc": ("Cc: ", "抄送:"),
    "remind.header.subject": ("Subject: ", "主题:"),
    "table.hidden": (
        "Hidden to fit: {columns}. --wide shows all columns.",
        "为适应窗口宽度,隐藏了:{columns}。加 --wide 显示全部列。",
    ),
    "config.broken": (
        "{file} has problems; no unit can be checked or counted until they are fixed",
        "{file} 有问题(见上);改好之前,任何单位都无法检查和统计",
    ),
    # validate
    "hook.others": (
        "{count} problem(s) in {files} file(s) this commit does not touch are not counted "
        "against it; `checklist validate` lists them",
        "另有 {files} 个文件中的 {count} 处问题与本次提交无关,不影响本次提交;"
        "运行 `checklist validate` 查看。",
    ),
    "problems.none": (
        "All good: {checked} {files_word} checked, no problems.",
        "全部通过:检查了 {checked} 个文件,没有发现问题。",
    ),
    "problems.found": (
        "Found {errors} {errors_word} and {warnings} {warnings_word} in {files} {files_word} "
        "(checked {checked}).",
        "共检查 {checked} 个文件,其中 {files} 个有问题:错误 {errors} 处,警告 {warnings} 处。",
    ),
    "problems.more": ("{count} more, one line each:", "另有 {count} 处问题,每处一行:"),
    "problems.help": ("help: ", "怎么改:"),
    "severity.error": ("error", "错误"),
    "severity.warning": ("warning", "警告"),
    "rollup.title": ("Roll-up by {by}, as of {as_of}", "按{by}汇总,截至 {as_of}"),
    # lights, ranks and the trend
    "expected_share": ("Expected %", "序时进度"),
    "behind": ("Behind (pts)", "落后百分点"),
    "light": ("Light", "亮灯"),
    "light.green": ("green", "绿"),
    "light.yellow": ("yellow", "黄"),
    "light.red": ("red", "红"),
    "rank": ("Rank", "排名"),
    "rank_change": ("Change", "升降"),
    "rank.note": (
        "Rank: least behind expected progress first; change since {compare}.",
        "排名:按落后序时进度的百分点从少到多;升降与 {compare} 相比。",
    ),
    "tasks_due": ("Due by then", "应完成"),
    "day": ("Day", "日期"),
    "sparkline": ("Done % over time", "完成率走势"),
    "trend.title": (
        "Trend by {by}, {start} to {as_of}, {every}",
        "按{by}统计进度走势,{start} 至 {as_of},{every}",
    ),
    "every.day": ("daily", "逐日"),
    "every.week": ("weekly (Sundays)", "每周(周日)"),
    "every.dekad": ("by dekad (the 10th, 20th and month end)", "每旬(10日、20日、月末)"),
    # workbooks (export, --format xlsx): sheet names, the printed page's footer
    "xlsx.sheet": ("Sheet", "工作表"),
    "xlsx.sheet.summary": ("Summary", "汇总"),
    "xlsx.sheet.pressing": ("Overdue and due soon", "逾期及即将到期"),
    "xlsx.footer": ("Page &P of &N", "第 &P 页,共 &N 页"),
    "xlsx.to_terminal": (
        "an xlsx workbook is a file, not text for the screen: give -o FILE, e.g. -o ledger.xlsx",
        "xlsx 工作簿是文件,不能输出到屏幕:请用 -o 指定文件,例如 -o 台账.xlsx",
    ),
    "xlsx.too_many_rows": (
        "sheet {sheet} would have {rows} rows, more than Excel's 1,048,575: "
        "narrow it with --county, --level or --measure",
        "工作表 {sheet} 有 {rows} 行,超过 Excel 的上限 1,048,575 行:"
        "请用 --county、--level 或 --measure 缩小范围",
    ),
    "xlsx.written": (
        "Wrote {file}: {sheets} sheets, {tasks} tasks.",
        "已写入 {file}:{sheets} 张工作表,{tasks} 项任务。",
    ),
}


def t(key: str, lang: Lang, /, **values: object) -> str:
    """The text for ``key`` in ``lang``, with ``values`` filled in."""
    english, chinese = CATALOGUE[key]
    text = chinese if lang is Lang.ZH else english
    return text.format(**values) if values else text
