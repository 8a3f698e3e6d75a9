"""New campaigns and new unit files, written from scratch with comments to guide people.

Values are rendered by tomli-w (so any name is quoted and escaped correctly);
the comments around them are plain template text, which tomli-w cannot write.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from checklist.dates import shift
from checklist.model import DEFAULT_MEASURES, Campaign, County, Level

ZHENGZHOU = (
    County("410102", "中原区"),
    County("410103", "二七区"),
    County("410104", "管城回族区"),
    County("410105", "金水区"),
    County("410106", "上街区"),
    County("410108", "惠济区"),
    County("410122", "中牟县"),
    County("410181", "巩义市"),
    County("410182", "荥阳市"),
    County("410183", "新密市"),
    County("410184", "新郑市"),
    County("410185", "登封市"),
    County("4101ZD", "郑东新区"),
    County("4101JK", "经开区"),
    County("4101GX", "高新区"),
    County("4101HK", "航空港区"),
    County("4101SZ", "市直"),
)
PRESETS: dict[str, tuple[str, dt.date, dt.date, str, tuple[County, ...]]] = {
    "zhengzhou": (
        "郑州市第二批主题教育",
        dt.date(2023, 9, 9),
        dt.date(2024, 1, 31),
        "Asia/Shanghai",
        ZHENGZHOU,
    ),
}


def value(data: object) -> str:
    """One TOML value, rendered and escaped by tomli-w."""
    import tomli_w

    return tomli_w.dumps({"v": data}).split("=", 1)[1].strip()


def campaign_toml(
    *, name: str, start: dt.date, end: dt.date, timezone: str, counties: Sequence[County]
) -> str:
    lines = [
        "# The campaign: its dates, its measures and its county-level areas.",
        "# Every key is described in docs/format.md of checklist.",
        "",
        "[campaign]",
        f"name = {value(name)}",
        f"start = {value(start)}",
        f"end = {value(end)}                # no due date may fall after it",
        f'timezone = {value(timezone)}     # what "today" means for reports and reminders',
        "",
        "# The five measures every unit lists; remove this part to keep the defaults.",
    ]
    for measure in DEFAULT_MEASURES:
        lines += [
            "[[measures]]",
            f"key = {value(measure.key)}",
            f"name = {value(measure.name)}",
            "",
        ]
    lines.append("# One table per county-level area, in the order of the roll-up.")
    lines.append("# expected_units = N makes the roll-up count missing unit files.")
    if not counties:
        lines += [
            "# Replace this example with your areas.",
            "[[counties]]",
            'code = "000000"',
            'name = "示例区"',
            "",
        ]
    for county in counties:
        lines += [
            "[[counties]]",
            f"code = {value(county.code)}",
            f"name = {value(county.name)}",
            "",
        ]
    lines += [
        "# Nightly reminders (checklist remind --send): see docs/format.md.",
        "# [remind]",
        '# lang = "zh"',
        "# [smtp]",
        '# host = "smtp.example.cn"',
        '# sender = "主题教育办 <checklist@example.cn>"',
    ]
    return "\n".join(lines) + "\n"


SUBMITTERS_README = """\
# 单位清单 / Unit lists

Each unit keeps its "five measures list" (五项重点措施清单) here, one TOML
file per unit, in the folder of its county code: `units/<county>/<unit>.toml`.

1. Create your file: `checklist new --county <code> --level county|grassroots --name "单位全称"`.
2. Fill in the contact, every measure's owner (责任人) and due date (截止日期), and
   the tasks (`[[study.tasks]]` blocks); dates are written without quotes: `2023-10-31`.
3. Check it: `checklist validate units/<county>/<unit>.toml` — it names the line of every
   mistake and how to fix it.
4. Record progress with `checklist done`, `checklist reopen` and `checklist postpone`
   (they keep your comments and formatting), and submit the file by merge request.
"""


def unit_toml(
    *, unit_id: str, name: str, county: County, level: Level, contact: str, campaign: Campaign
) -> str:
    lines = [
        f"# {name} — 五项重点措施清单(路线图、任务书)",
        "# Fill in every empty owner (责任人) and each due date (截止日期), then run",
        "#   checklist validate <this file>",
        "",
        "[unit]",
        f"id = {value(unit_id)}",
        f"name = {value(name)}",
        f"county = {value(county.code)}  # {county.name}",
        f"level = {value(level.value)}",
        f"contact = {value(contact)}  # 联系人: answers for this list",
        "",
    ]
    example_due = min(campaign.end, shift(campaign.start, 30))

    def note(code: str, comment: str) -> str:
        return f"{code:<28}# {comment}"

    for measure in campaign.measures:
        lines += [
            note(f"[{measure.key}]", measure.name),
            note('owner = ""', "责任人: the default owner of the tasks below"),
            note(f"# due = {example_due}", "截止日期: remove the first # and set the day"),
            "",
            note(f"# [[{measure.key}.tasks]]", "one block per task; it inherits owner and due"),
            '# title = "…"',
            f"# due = {example_due}",
            '# owner = "…"',
            "",
        ]
    return "\n".join(lines).rstrip("\n") + "\n"
