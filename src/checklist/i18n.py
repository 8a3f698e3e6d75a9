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
    "remind.group.subject": (
        "[{campaign}] Supervision: {count} task(s) of {group}'s units overdue {days}+ days "
        "({date})",
        "【{campaign}】督办:{group}联系的单位有 {count} 项任务逾期 {days} 天以上({date})",
    ),
    "remind.group.intro": (
        "As of {date}, the units {group} supervises have {count} task(s) overdue by {days} "
        "days or more:",
        "截至 {date},{group}联系的单位有 {count} 项任务逾期 {days} 天以上:",
    ),
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
    # the wall chart (checklist chart)
    "chart.title": ("{campaign}: the wall chart", "{campaign} 挂图作战"),
    "chart.as_of": ("as of {as_of}", "截至 {as_of}"),
    "chart.units": ("Units reported", "已报单位"),
    "chart.units_of": ("of {expected} expected", "应报 {expected}"),
    "chart.tasks_done": ("Tasks done", "已完成任务"),
    "chart.tasks_of": ("of {tasks}", "共 {tasks} 项"),
    "chart.expected_of": ("expected by now {expected}", "序时进度 {expected}"),
    "chart.matrix": (
        "Counties × measures: done/tasks (overdue)",
        "区县 × 措施:已完成/任务数(逾期数)",
    ),
    "chart.rule": (
        "The light compares the share of tasks done with the share due by {as_of} "
        "(expected progress): green; yellow from {yellow} points behind; red from {red}.",
        "亮灯比较已完成任务的比例与截至 {as_of} 应完成的比例(序时进度):"
        "落后不到 {yellow} 个百分点亮绿灯,{yellow} 个百分点起亮黄灯,{red} 个百分点起亮红灯。",
    ),
    "chart.ranking": ("Ranking", "排名"),
    "chart.ranking.note": (
        "Least behind expected progress first; change since {compare}.",
        "按落后序时进度的百分点从少到多排列;升降与 {compare} 相比。",
    ),
    "chart.over_time": (
        "Done % against expected %, day by day",
        "完成率与序时进度(逐日)",
    ),
    "chart.done_line": ("done %", "完成率"),
    "chart.expected_line": ("expected %", "序时进度"),
    "chart.start": ("start", "启动"),
    "chart.end": ("end", "结束"),
    "chart.report_day": ("report day", "报表日"),
    "chart.missing": ("Missing unit lists (缺报)", "缺报单位"),
    "chart.missing.none": ("Every county has all its unit lists in.", "各区县单位清单均已报齐。"),
    "chart.laggards": ("Units with the most overdue tasks", "逾期任务最多的单位"),
    "chart.laggards.none": ("No task is overdue.", "没有逾期任务。"),
    "chart.more": ("and {count} more overdue", "另有 {count} 项逾期"),
    "chart.days": ("{days} d", "{days} 天"),
    "chart.section": ("{county}: units × measures", "{county}:各单位 × 措施"),
    "chart.no_units": ("No unit list yet.", "尚无单位清单。"),
    "chart.groups": ("Liaison groups (联络组)", "联络组"),
    "chart.groups.note": (
        "Groups by rank: least behind expected progress first; the change since {compare}. "
        "A unit two groups share counts in both rows, and once in the total.",
        "按落后序时进度的程度排名,变化与 {compare} 相比;"
        "两个联络组共管的单位两组都计,合计只计一次。",
    ),
    "chart.groups.contact": ("contact {name}", "联系人 {name}"),
    "chart.groups.units": (
        "{count} units, furthest behind first",
        "所辖单位 {count} 个,落后的在前",
    ),
    "chart.skipped": (
        "{count} file(s) with problems are left out of these figures.",
        "{count} 个文件有问题,未计入统计。",
    ),
    "chart.source": (
        "Made by checklist {version} from the unit files; the numbers are those of "
        "`checklist rollup --as-of {as_of} --format json`.",
        "由 checklist {version} 根据各单位清单文件生成;数字与 "
        "`checklist rollup --as-of {as_of} --format json` 一致。",
    ),
    "chart.written": (
        "Wrote {file}: the wall chart of {counties} counties and {units} units, as of {as_of}.",
        "已生成 {file}:{counties} 个区县、{units} 个单位的挂图,截至 {as_of}。",
    ),
    "chart.to_terminal": (
        "the wall chart is an HTML file, not text for the screen: give -o FILE, e.g. -o wall.html",
        "挂图是 HTML 文件,不能输出到屏幕:请用 -o 指定文件,例如 -o 挂图.html",
    ),
    # workbooks (export, --format xlsx): sheet names, the printed page's footer
    "xlsx.sheet": ("Sheet", "工作表"),
    "xlsx.sheet.summary": ("Summary", "汇总"),
    "xlsx.sheet.pressing": ("Overdue and due soon", "逾期及即将到期"),
    "xlsx.sheet.groups": ("Liaison groups", "联络组"),
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
    # import
    "import.unreadable": ("cannot read {file}: {why}", "读不了 {file}:{why}"),
    "import.empty_file": (
        "{file} is empty: it is not a workbook",
        "{file} 是空文件,不是 Excel 工作簿",
    ),
    "import.too_big": (
        "{file} is {mib} MiB; a ledger to import is at most 50 MiB",
        "{file} 有 {mib} MiB,太大了;能导入的台账最多 50 MiB",
    ),
    "import.unpacks_too_big": (
        "{file} unpacks to more than {mib} MiB: no ledger is that large (a damaged or "
        "hostile file?); save the sheet again from Excel or WPS",
        "{file} 解压后超过 {mib} MiB,不像是台账(文件可能损坏或被做了手脚);"
        "请用 Excel 或 WPS 重新保存这张表",
    ),
    "import.not_workbook": (
        "{file} is not an Excel workbook (CSV or other text?); open it in Excel or WPS "
        "and save it as .xlsx",
        "{file} 不是 Excel 工作簿(可能是 CSV 或文本文件);请用 Excel 或 WPS 打开,另存为 .xlsx",
    ),
    "import.broken": (
        "{file} cannot be read as a workbook ({why}); open it in Excel or WPS and save it "
        "again as .xlsx",
        "{file} 无法作为工作簿读取({why});请用 Excel 或 WPS 打开,重新另存为 .xlsx",
    ),
    "import.password": (
        "{file} is protected by a password; save a copy without one and import that",
        "{file} 设了密码;请另存一份不带密码的再导入",
    ),
    "import.no_sheets": ("{file} has no worksheet", "{file} 里没有工作表"),
    "import.no_such_sheet": (
        "{file} has no sheet {sheet!r}; its sheets: {sheets}",
        "{file} 里没有名为“{sheet}”的工作表;现有工作表:{sheets}",
    ),
    "import.did_you_mean": ('; did you mean "{guess}"?', ";是不是“{guess}”?"),
    "import.too_many_rows": (
        "sheet {sheet!r} of {file} has {rows} rows; at most {limit} rows can be imported",
        "{file} 的工作表“{sheet}”有 {rows} 行;一次最多导入 {limit} 行",
    ),
    "import.no_header": (
        "no header row in the first {rows} rows: one row must name the columns ({names})",
        "前 {rows} 行里找不到表头:要有一行写明各列的名称({names})",
    ),
    "import.no_column": (
        "no column {column} in the header row; name it {names}",
        "表头里没有“{column}”这一列;列名可写作:{names}",
    ),
    "import.no_rows": (
        "no task rows below the header; fill them in from row {first}",
        "表头下面没有任务;请从第 {first} 行起逐行填写",
    ),
    "import.empty": ("{column} is empty", "“{column}”没有填"),
    "import.owner": (
        "{column} is empty: every task needs the one person responsible for it",
        "“{column}”没有填:每项任务都要写明一名责任人",
    ),
    "import.too_long": (
        "the text is {length} characters long; at most {limit}",
        "这一格有 {length} 个字,太长了;最多 {limit} 个字",
    ),
    "import.county": (
        "{value!r} is not a county of this campaign; write a name or code from campaign.toml",
        "“{value}”不是本次活动的县(市、区);请填 campaign.toml 里的名称或代码",
    ),
    "import.county.guess": (
        "{value!r} is not a county of this campaign; did you mean {guess!r}? Write a name or "
        "code from campaign.toml",
        "“{value}”不是本次活动的县(市、区);是不是“{guess}”?请填 campaign.toml 里的名称或代码",
    ),
    "import.level": (
        "{value!r} is not a level; write one of {known}",
        "层级“{value}”不认识;请填以下之一:{known}",
    ),
    "import.measure": (
        "{value!r} is not a measure of this campaign; write one of {known}",
        "“{value}”不是本次活动的措施;请填以下之一:{known}",
    ),
    "import.measure.guess": (
        "{value!r} is not a measure of this campaign; did you mean {guess!r}? Write one of {known}",
        "“{value}”不是本次活动的措施;是不是“{guess}”?请填以下之一:{known}",
    ),
    "import.no_unit": (
        "no unit above this row: write the unit's name in its first row",
        "这一行上面还没有单位:请在单位的第一行填写单位名称",
    ),
    "import.conflict": (
        "{name!r} has {column} {value!r} here but another value in row {other}; a unit has one",
        "“{name}”在这一行的“{column}”是“{value}”,与第 {other} 行不一致;一个单位只能有一个",
    ),
    "import.second_own": (
        "a second row of this measure of {name!r} without a {column}; only one such row "
        "(the measure's own owner and due) is allowed",
        "“{name}”的这项措施已经有一行没填“{column}”;这样的行(措施本身的责任人和时限)只能有一行",
    ),
    "import.no_measure": (
        "{name!r} has no row for the measure {measure}; add its tasks, or one row "
        "without a task for the measure's own owner and due",
        "“{name}”没有“{measure}”的任务;请补上,或者加一行不填任务、只填该措施的责任人和时限",
    ),
    "import.exists": (
        "{name!r} already has a unit file, {file}; import never overwrites one: with "
        "--update it changes only what the sheet changes",
        "“{name}”已经有清单文件 {file};导入从不覆盖已有文件:加 --update 只修改表格里改动的内容",
    ),
    "import.refused": ("cannot update {file}: {why}", "无法更新 {file}:{why}"),
    "import.invalid": (
        "the update would leave {file} with a problem: [{code}] {why}",
        "这样更新后 {file} 会有问题:[{code}] {why}",
    ),
    "import.updated": ("updated {file} ({count} changes)", "已更新 {file}({count} 处修改)"),
    "import.would_update": (
        "would update {file} ({count} changes)",
        "将更新 {file}({count} 处修改)",
    ),
    "import.nothing_written": ("nothing was written (--dry-run)", "未写入任何文件(--dry-run)"),
    "import.unchanged": ("{file} is unchanged", "{file} 无需修改"),
    "import.done.update": (
        "from sheet {sheet!r}: {created} unit file(s) created, {updated} updated, "
        "{unchanged} unchanged",
        "工作表“{sheet}”:新建 {created} 个单位清单文件,更新 {updated} 个,{unchanged} 个无需修改",
    ),
    "import.date": ("{column}: {why}", "“{column}”:{why}"),
    "import.date.not": (
        "{value!r} is not a date; write it as 2023-10-31, 2023/10/31, 2023.10.31 or "
        "2023年10月31日, or make the cell a date",
        "“{value}”不是日期;请写成 2023-10-31、2023/10/31、2023.10.31 或 2023年10月31日,"
        "或把单元格设为日期格式",
    ),
    "import.date.serial": (
        "the number {value} is not a day (as a date, Excel counts whole days from 1900)",
        "数字 {value} 不是日期(Excel 的日期是从 1900 年起的整天数)",
    ),
    "import.date.month": (
        "{value!r} is not a date: there is no month {month}",
        "“{value}”不是日期:没有 {month} 月",
    ),
    "import.date.day": (
        "{value!r} is not a date: {year}-{month:02d} has {days} days",
        "“{value}”不是日期:{year} 年 {month} 月只有 {days} 天",
    ),
    "import.created": ("created {file} ({tasks} tasks)", "已创建 {file}({tasks} 项任务)"),
    "import.would_create": (
        "would create {file} ({tasks} tasks)",
        "将创建 {file}({tasks} 项任务)",
    ),
    "import.dry_run": (
        "{units} unit file(s) from sheet {sheet!r}; nothing was written (--dry-run)",
        "工作表“{sheet}”可生成 {units} 个单位清单文件;未写入任何文件(--dry-run)",
    ),
    "import.done": (
        "{units} unit file(s) created from sheet {sheet!r}",
        "已从工作表“{sheet}”创建 {units} 个单位清单文件",
    ),
    "import.failed": (
        "{errors} problem(s) in sheet {sheet!r} of {file}; nothing was written",
        "{file} 的工作表“{sheet}”有 {errors} 处问题;未写入任何文件",
    ),
    "import.template": (
        "wrote the template {file}: fill in one row per task, then: checklist import {file}",
        "已生成模板 {file}:每项任务填一行,然后运行 checklist import {file}",
    ),
    "import.template.exists": (
        "{file} already exists; the template is never written over a file",
        "{file} 已存在;模板不会覆盖已有文件",
    ),
    "import.template.sheet": ("Tasks", "任务清单"),
    "import.template.help": ("Columns", "填写说明"),
    "import.template.head": (
        "Column|Also accepted|Required|What to write",
        "列名|也可写作|必填|怎么填",
    ),
    "import.template.yes": ("yes", "是"),
    "import.template.no": ("no", "否"),
    "import.col.unit": (
        "The unit's full name. Rows with the same name make one unit file; a blank cell "
        "continues the unit above (as merged cells read).",
        "单位全称。同名的行合成一个单位清单文件;空着表示与上一行同一单位(合并单元格即如此)。",
    ),
    "import.col.county": (
        "The county-level area: its name or code in campaign.toml ({examples}).",
        "所属县(市、区):campaign.toml 里的名称或代码(如 {examples})。",
    ),
    "import.col.level": (
        "县级 / 县处级 / county, or 基层 / grassroots.",
        "县级(县处级、county)或 基层(grassroots)。",
    ),
    "import.col.contact": (
        "Who answers for the unit's list.",
        "负责这份清单的联系人。",
    ),
    "import.col.measure": (
        "One of the campaign's measures, by name or key: {measures}. A blank cell "
        "continues the measure above.",
        "本次活动的措施之一,填名称或英文代码:{measures}。空着表示与上一行同一措施。",
    ),
    "import.col.task": (
        "What is to be done. A row without a task gives the measure's own owner and due "
        "(a measure without tasks).",
        "具体任务。不填任务的行,表示这项措施本身的责任人和完成时限(该措施不分任务)。",
    ),
    "import.col.owner": ("The one person responsible.", "一名责任人。"),
    "import.col.due": (
        "The due date: a date cell, or 2023-10-31, 2023/10/31, 2023.10.31, 2023年10月31日.",
        "完成时限:日期格式的单元格,或写成 2023-10-31、2023/10/31、2023.10.31、2023年10月31日。",
    ),
    "import.col.done": (
        "The day it was done; blank while open.",
        "实际完成的日期;未完成的空着。",
    ),
    "import.col.note": ("Free text for people.", "备注,随便写。"),
    # history (checklist changes, --as-known, --milestones, --stale)
    "history.no_git": (
        "git is not installed: the history of the unit files cannot be read",
        "没有安装 git,读不了单位清单文件的历史记录",
    ),
    "history.git_failed": ("git failed: {what}", "git 运行出错:{what}"),
    "history.not_a_repo": (
        "{folder} is not in a git repository, so it has no history to read; "
        "history commands work in a clone of the campaign's repository",
        "{folder} 不在 git 仓库里,没有历史记录可读;请在活动仓库的克隆里运行",
    ),
    "history.shallow": (
        "{folder} is a shallow clone: its history is cut short, and figures from it would "
        "be wrong. Fetch the whole history (git fetch --unshallow; in GitHub Actions, "
        "actions/checkout with fetch-depth: 0)",
        "{folder} 是浅克隆(shallow clone),历史记录不完整,据此算出的数字会出错。"
        "请取回完整历史(git fetch --unshallow;GitHub Actions 里给 actions/checkout 设 "
        "fetch-depth: 0)",
    ),
    "history.no_commits": (
        "{folder} has no commits yet: there is no history to read",
        "{folder} 还没有任何提交,没有历史记录可读",
    ),
    "history.bad_point": (
        "{option} {text}: neither a day (2023-11-13, 1w, 14d) nor a commit of this repository",
        "{option} {text}:既不是日期(如 2023-11-13、1w、14d),也不是这个仓库里的提交",
    ),
    "history.before_first": (
        "--as-known {day}: the repository has no commit on or before that day",
        "--as-known {day}:仓库里在这一天(含)之前还没有任何提交",
    ),
    "changes.title": (
        "Changes from {since} to {until}",
        "{since} 至 {until} 的变动",
    ),
    "changes.start": ("the first commit", "第一次提交"),
    "changes.worktree": ("now (uncommitted changes included)", "现在(含未提交的修改)"),
    "changes.none": ("No changes to the unit files.", "单位清单文件没有变动。"),
    "changes.summary": (
        "{changes} change(s) in {units} unit(s): {done} done ({backdated} back-dated), "
        "{reopened} reopened, {added} task(s) added, {removed} removed, {postponed} "
        "postponed, {moved} due date(s) moved silently; {units_added} unit(s) added, "
        "{units_removed} removed, {broken} file(s) broken",
        "共 {changes} 处变动,涉及 {units} 个单位:完成 {done} 项(其中补录 {backdated} 项),"
        "重新打开 {reopened} 项,新增任务 {added} 项,删除 {removed} 项,延期 {postponed} 项,"
        "未记录改期 {moved} 项;新增单位 {units_added} 个,删除 {units_removed} 个,"
        "文件有错 {broken} 个",
    ),
    "changes.col.change": ("Change", "变动"),
    "changes.col.date": ("Date", "日期"),
    "changes.col.before": ("Before", "原来"),
    "changes.col.by": ("By", "提交人"),
    "changes.col.on": ("Committed", "提交日期"),
    "changes.col.flag": ("Note", "说明"),
    "changes.uncommitted": ("uncommitted", "未提交"),
    "changes.merge": ("(in a merge)", "(合并时)"),
    "changes.backdated": ("back-dated {days} days", "补录,晚了 {days} 天"),
    "changes.silent": ("moved silently", "改期未记录"),
    "changes.problems": ("{count} error(s)", "{count} 处错误"),
    "change.unit_added": ("unit added", "新增单位"),
    "change.unit_removed": ("unit removed", "删除单位"),
    "change.renamed": ("file renamed", "文件改名"),
    "change.done": ("done", "完成"),
    "change.reopened": ("reopened", "重新打开"),
    "change.added": ("task added", "新增任务"),
    "change.removed": ("task removed", "删除任务"),
    "change.postponed": ("postponed", "延期"),
    "change.moved": ("due date moved", "改期"),
    "change.broken": ("file broken", "文件有错"),
    "change.fixed": ("file fixed", "文件已改好"),
    "stale.title": (
        "Units with open tasks whose file no commit has touched for {days} days or more, "
        "as of {as_of}",
        "有未完成任务、清单文件 {days} 天以上没有提交过修改的单位(截至 {as_of})",
    ),
    "stale.none": (
        "No stale units: every unit with open tasks was committed within {days} days.",
        "没有长期未更新的单位:有未完成任务的单位,{days} 天内都提交过修改。",
    ),
    "stale.col.last": ("Last commit", "最后提交"),
    "stale.col.days": ("Days since", "未更新天数"),
    "stale.col.open": ("Open tasks", "未完成任务"),
    "stale.col.file": ("File", "文件"),
    "stale.summary": ("{count} stale unit(s)", "共 {count} 个单位长期未更新"),
    "backdated.title": (
        "Done dates written more than {days} days after the fact (补录), by county",
        "补录情况(完成日期比首次提交晚 {days} 天以上),按区县",
    ),
    "backdated.col.recorded": ("Done dates", "完成记录"),
    "backdated.col.backdated": ("Back-dated", "补录"),
    "backdated.col.share": ("Back-dated %", "补录占比"),
    "backdated.col.most": ("Most days late", "最多晚报天数"),
    "milestones.title": ("Milestones, by county", "时间节点完成情况(按区县)"),
    "milestones.none": (
        "campaign.toml has no [[milestones]]; docs/format.md shows how to add them.",
        "campaign.toml 里没有写时间节点 [[milestones]];写法见 docs/format.md。",
    ),
    "milestones.col.milestone": ("Milestone", "时间节点"),
    "milestones.col.date": ("By", "节点日期"),
    "milestones.col.met": ("Met", "按时"),
    "milestones.col.late": ("Late", "迟报"),
    "milestones.col.most_late": ("Most days late", "最多迟报天数"),
    "milestones.col.missing": ("Missing", "缺报"),
    "milestones.col.late_units": ("Late units", "迟报单位"),
    # working days (docs/calendar.md)
    "workdays_overdue": ("Working days overdue", "逾期工作日"),
    "remind.overdue_workdays": ("{days} working days overdue", "逾期 {days} 个工作日"),
    "remind.overdue_one_workday": ("1 working day overdue", "逾期 1 个工作日"),
    "remind.escalation.subject.workdays": (
        "[{campaign}] Escalation: {unit} has {count} task(s) overdue {days}+ working days ({date})",
        "【{campaign}】督办:{unit} 有 {count} 项任务逾期 {days} 个工作日以上({date})",
    ),
    "remind.escalation.intro.workdays": (
        "{unit} has {count} task(s) overdue by {days} working days or more, as of {date}:",
        "截至 {date},{unit} 有 {count} 项任务逾期 {days} 个工作日以上:",
    ),
    "calendar.title": (
        "{year}-{month:02d}: {count} working days",
        "{year}年{month}月:{count} 个工作日",
    ),
    "calendar.weekdays": ("Mon Tue Wed Thu Fri Sat Sun", "一 二 三 四 五 六 日"),
    "calendar.cell.holiday": ("{day} off", "{day}休"),
    "calendar.cell.makeup": ("{day} work", "{day}班"),
    "calendar.legend": (
        "off: a holiday (by decree or campaign.toml); work: a weekend day worked (调休)",
        "休:法定节假日或 campaign.toml 定的休息日;班:调休上班的周六、周日",
    ),
    "calendar.col.dekad": ("Dekad", "旬"),
    "calendar.col.from": ("From", "起"),
    "calendar.col.to": ("To", "止"),
    "calendar.col.workdays": ("Working days", "工作日"),
    "calendar.col.rest": ("Rest days", "休息日"),
    "calendar.dekad.1": ("1st (上旬)", "上旬"),
    "calendar.dekad.2": ("2nd (中旬)", "中旬"),
    "calendar.dekad.3": ("3rd (下旬)", "下旬"),
    "calendar.bad_month": (
        "--month {given}: write a month like 2023-10",
        "--month {given}:月份请写成 2023-10 这样",
    ),
    "calendar.unpublished": (
        '[calendar] country = "{country}" has no official holidays for {year} yet, so its '
        "weekends are taken as rest days and nothing else; until they are published, list "
        "that year's days in campaign.toml: [calendar] holidays = [{year}-01-01, …] and "
        "workdays = [make-up days, …]",
        '[calendar] country = "{country}" 还没有 {year} 年的法定节假日安排,暂时只把周末算作休息日;'
        "公布之前,请在 campaign.toml 里自己写上这一年的日子:[calendar] holidays = "
        "[{year}-01-01, …](放假),workdays = [调休上班日, …]",
    ),
    "group": ("Liaison group", "联络组"),
    "sector": ("Sector", "领域"),
    "group.none": ("(no group)", "(无联络组)"),
    "sector.none": ("(no sector)", "(未写领域)"),
    "bulletin.title": (
        "{campaign}: {period} bulletin, {start} to {end}",
        "{campaign}{period}通报({start} 至 {end})",
    ),
    "bulletin.period.week": ("weekly", "周"),
    "bulletin.period.dekad": ("ten-day", "旬"),
    "bulletin.period.month": ("monthly", "月"),
    "bulletin.overall": (
        "**Overall**: {units} units, {tasks} tasks, {done} done ({completion}), "
        "{done_in_period} of them in this period; on time {on_time} ({change} since {since}); "
        "{overdue} overdue; {light}.",
        "**总体**:{units} 个单位,任务 {tasks} 项,已完成 {done} 项(完成率 {completion}),"
        "其中本期完成 {done_in_period} 项;按期率 {on_time}(较 {since} {change});"
        "已逾期 {overdue} 项;{light}。",
    ),
    "bulletin.ranking": ("Ranked by on-time %, by {by}", "按期率排名(按{by})"),
    "bulletin.row": (
        "{rank}. **{name}**: on time {on_time} ({change}), done {completion}, "
        "{done_in_period} done in the period, {overdue} overdue, {light}",
        "{rank}. **{name}**:按期率 {on_time}({change}),完成率 {completion},"
        "本期完成 {done_in_period} 项,逾期 {overdue} 项,{light}",
    ),
    "bulletin.pts": ("{value:+.1f} pts", "{value:+.1f} 个百分点"),
    "bulletin.light": ("light {light}", "{light}灯"),
    "bulletin.behind": ("Furthest behind", "进度滞后的单位"),
    "bulletin.behind.row": (
        "- **{name}** ({county}): {overdue} overdue, on time {on_time}",
        "- **{name}**({county}):逾期 {overdue} 项,按期率 {on_time}",
    ),
    "bulletin.missing": ("Unit files missing", "清单缺报"),
    "bulletin.missing.row": (
        "- {name}: {missing} of {expected} missing",
        "- {name}:应报 {expected} 份,缺报 {missing} 份",
    ),
    "bulletin.none": ("None.", "无。"),
    "bulletin.part": ("(part {n} of {of})", "(第 {n} 条,共 {of} 条)"),
    "bulletin.date": ("{year}-{month:02d}-{day:02d}", "{year}年{month}月{day}日"),
    "bulletin.dates": ("({start} to {end})", "({start}至{end})"),
    "bulletin.number": ("{prefix} [{year}] No. {n}", "{prefix}〔{year}〕{n}号"),
    "bulletin.docx_to_terminal": (
        "a .docx bulletin is a file, not text for the screen: give -o FILE, e.g. -o bulletin.docx",
        ".docx 通报是文件,不能输出到屏幕:请用 -o 指定文件,例如 -o 通报.docx",
    ),
    "bulletin.docx_missing": (
        "the .docx bulletin needs python-docx, which is not installed: "
        "pip install 'campaign-checklist[docx]'",
        "生成 .docx 通报需要 python-docx,但它没有安装:pip install 'campaign-checklist[docx]'",
    ),
    "bulletin.written": ("Wrote {file}.", "已写入 {file}。"),
    "bulletin.template_bad": (
        "cannot use {file} as the bulletin's template ({reason}): give a .docx file "
        "(a Word template, .dotx, saved as .docx)",
        "{file} 不能用作通报模板({reason}):请给一个 .docx 文件(Word 模板 .dotx 请另存为 .docx)",
    ),
    "bulletin.template_without_docx": (
        "--template is the .docx bulletin's: give --format docx too",
        "--template 是 .docx 通报用的模板:请同时写上 --format docx",
    ),
    "bulletin.no_webhook": (
        "{path} has no [webhook] table, so --send has nowhere to post the bulletin; add one "
        '(url_env = "CHECKLIST_WEBHOOK_URL", format = "wecom"), or leave out --send',
        "{path} 里没有 [webhook] 表,--send 不知道把通报发到哪里;请添加群机器人设置"
        '(url_env = "CHECKLIST_WEBHOOK_URL",format = "wecom"),或者去掉 --send',
    ),
    "bulletin.not_posted": (
        "Part {n} of {of} of the bulletin was not posted: {reason}. "
        "{sent} part(s) before it were posted; the rest were not sent.",
        "通报第 {n} 条(共 {of} 条)没有发出:{reason}。此前已发出 {sent} 条,其余没有发送。",
    ),
}


def t(key: str, lang: Lang, /, **values: object) -> str:
    """The text for ``key`` in ``lang``, with ``values`` filled in."""
    english, chinese = CATALOGUE[key]
    text = chinese if lang is Lang.ZH else english
    return text.format(**values) if values else text
