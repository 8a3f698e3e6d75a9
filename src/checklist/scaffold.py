"""New campaigns and new unit files, written from scratch with comments to guide people.

Values are rendered by tomli-w (so any name is quoted and escaped correctly);
the comments around them are plain template text, which tomli-w cannot write.
What the user types is checked first (``check_value``), text from campaign.toml
is made safe for a comment (``_comment``), and the rendered file must read back
as exactly the values given (``verify_unit``) before it is written.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from checklist.atomic import locked, remove_temporaries, write_atomic
from checklist.dates import shift
from checklist.errors import UsageError, write_reason_zh
from checklist.load.schema import ID_PATTERN
from checklist.load.source import MAX_BYTES, display
from checklist.model import DEFAULT_MEASURES, Campaign, County, Level
from checklist.words import describe_zh, quote

MAX_ID = 100  # the file name, its temporary file's name and the folder stay far below 255 bytes
MAX_TEXT = 200
# Line and paragraph breaks, controls (tab included), invisible format characters, lone
# surrogates (undecodable bytes on the command line): none belongs in a one-line name.
_REFUSED = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_NAMES = {"\t": "a tab", "\n": "a line break", "\r": "a carriage return"}

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


def check_value(option: str, text: str) -> None:
    """Refuse (UsageError) text that cannot be one line of a unit file as typed.

    A name pasted from a spreadsheet can bring a line break or a tab along; written
    as is, it would break the file or let the rest of the line become TOML.
    """
    shown = repr(text) if len(text) <= 60 else repr(text[:57]) + "…"
    for index, char in enumerate(text, 1):
        if unicodedata.category(char) in _REFUSED:
            what = _NAMES.get(char) or unicodedata.name(char, "a control character")
            raise UsageError(
                f"{option} {shown}: character {index} is U+{ord(char):04X} ({what}), "
                "which a name cannot hold; type the value on one line without it "
                "(was it pasted from a spreadsheet?)",
                zh=f"{option} {quote(text, 60)} 的第 {index} 个字符是 {describe_zh(char)},"
                "名称里不能有它;请把内容写在一行里,去掉它(是不是从表格里复制过来的?)",
            )
    if text != text.strip():
        raise UsageError(
            f"{option} {shown} starts or ends with a space; remove it",
            zh=f"{option} {quote(text, 60)} 开头或末尾有空格;请去掉",
        )
    if len(text) > MAX_TEXT:
        raise UsageError(
            f"{option} is {len(text)} characters long; at most {MAX_TEXT}",
            zh=f"{option} 有 {len(text)} 个字,太长了;最多 {MAX_TEXT} 个字",
        )


def check_id(option: str, text: str, *, zh: str = "") -> None:
    """Refuse a unit id (or county code) that cannot be a file (or folder) name.

    ``zh`` names the value for a clerk when ``option`` is no option to type.
    """
    named = zh or option
    if not re.fullmatch(ID_PATTERN.removesuffix("$"), text):
        raise UsageError(
            f"{option} {text!r}: use letters, digits, '.', '_' and '-', starting with a "
            "letter or digit",
            zh=f"{named} {quote(text, 60)} 不能用作文件名:只能用英文字母、数字、"
            "“.”“_”“-”,并以字母或数字开头",
        )
    if len(text) > MAX_ID:
        raise UsageError(
            f"{option} is {len(text)} characters long; at most {MAX_ID}",
            zh=f"{named} 有 {len(text)} 个字符,太长了;最多 {MAX_ID} 个",
        )


def _comment(text: str) -> str:
    """Text from campaign.toml, made safe for a comment: on one line, nothing hidden."""
    return "".join("\ufffd" if unicodedata.category(c) in _REFUSED else c for c in text)


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
        'lang = "zh"                     # every message in Chinese; "en" for English',
        'exclude = ["tombi.toml"]        # .toml files here that are not unit files',
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
        "# advance_days = [7, 3, 1, 0]",
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
   mistake and how to fix it. In VS Code with Even Better TOML or tombi, mistyped keys
   and missing owners are underlined as you type (they read `unit.schema.json` here).
4. Record progress with `checklist done`, `checklist reopen` and `checklist postpone`
   (they keep your comments and formatting), and submit the file by merge request.
"""


# Editors: taplo (Even Better TOML) and tombi apply the schema that `init` writes to every
# unit file. Each reads its own config from the campaign folder, where an editor opens it.
TAPLO_CONFIG = """\
# Even Better TOML (taplo): check unit files against units/unit.schema.json as they are
# typed. The schema comes from campaign.toml; after changing its measures or counties run
#   checklist schema > units/unit.schema.json
# (`checklist schema --check units/unit.schema.json` says whether that is needed).

[[rule]]
include = ["units/**/*.toml"]

[rule.schema]
path = "units/unit.schema.json"
"""

TOMBI_CONFIG = """\
# tombi: check unit files against units/unit.schema.json as they are typed. The schema
# comes from campaign.toml; after changing its measures or counties run
#   checklist schema > units/unit.schema.json
# (`checklist schema --check units/unit.schema.json` says whether that is needed).
toml-version = "v1.0.0"

[[schemas]]
path = "units/unit.schema.json"
include = ["units/**/*.toml"]
"""


def unit_toml(
    *,
    unit_id: str,
    name: str,
    county: County,
    level: Level,
    contact: str,
    campaign: Campaign,
    schema: str | None = None,
) -> str:
    """The new unit file; ``schema``, the schema's path relative to it, starts it with a
    ``#:schema`` line (and the blank line tombi needs after it) for editors without the
    campaign's taplo or tombi config."""
    lines = [f"#:schema {schema}", ""] if schema else []
    lines += [
        f"# {_comment(name)} — 五项重点措施清单(路线图、任务书)",
        "# Fill in every empty owner (责任人) and each due date (截止日期), then run",
        "#   checklist validate <this file>",
        "",
        "[unit]",
        f"id = {value(unit_id)}",
        f"name = {value(name)}",
        f"county = {value(county.code)}  # {_comment(county.name)}",
        f"level = {value(level.value)}",
        f"contact = {value(contact)}  # 联系人: answers for this list",
        "",
    ]
    example_due = min(campaign.end, shift(campaign.start, 30))

    def note(code: str, comment: str) -> str:
        return f"{code:<28}# {comment}"

    for measure in campaign.measures:
        lines += [
            note(f"[{measure.key}]", _comment(measure.name)),
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


def verify_unit(text: str, *, unit: dict[str, str], campaign: Campaign) -> None:
    """Refuse to write a new unit file that does not read back as exactly what was asked.

    The values were checked and escaped, so this should never fire; it is the last
    guard against a file that would not parse or would hold anything else.
    """
    expected: dict[str, Any] = {"unit": unit} | {m.key: {"owner": ""} for m in campaign.measures}
    try:
        found = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        found = {"error": str(error)}
    if found != expected or len(text.encode()) > MAX_BYTES:
        raise UsageError(
            "the new unit file would not read back as the values given "
            "(check the measure keys and county names of campaign.toml); nothing was written",
            zh="新建的单位文件读回来和填写的内容对不上"
            "(请检查 campaign.toml 里的措施 key 和区县名称);什么也没写",
        )


def create(path: Path, data: bytes) -> None:
    """Write a new unit file: never over another, and without what a killed run left.

    UsageError if the file exists, another command is writing it, or it cannot be made.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with locked(path):
            remove_temporaries(path)
            write_atomic(path, data, exclusive=True)
    except FileExistsError:
        raise UsageError(
            f"{display(path)} already exists; checklist new never overwrites",
            zh=f"{display(path)} 已经存在;checklist new 不会覆盖已有的文件",
        ) from None
    except BlockingIOError:
        raise UsageError(
            f"{display(path)} is busy: another checklist command is writing it; try again",
            zh=f"另一个 checklist 命令正在写 {display(path)};请稍等一会儿再试",
        ) from None
    except OSError as error:
        raise UsageError(
            f"cannot create {display(path)}: {error.strerror or error}; nothing was written",
            zh=f"无法创建 {display(path)}:{write_reason_zh(error)};什么也没写",
        ) from None
