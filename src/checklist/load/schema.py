"""Every key of both file kinds, declared once.

The structural check, ``checklist schema`` (JSON Schema for editors) and
docs/format.md are all generated from these declarations, so they cannot
drift apart.
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass
from typing import Any

from checklist.model import DEFAULT_MEASURES, DEFAULT_SECTORS, Campaign, Level, MeasureDef
from checklist.recur import SHIFTS

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
MEASURE_KEY_PATTERN = r"^[a-z][a-z0-9_]*$"
RESERVED_TABLES = ("unit", "people")


class Kind(enum.Enum):
    TEXT = "text"
    DATE = "date"
    INTEGER = "integer"
    INTEGERS = "list of whole numbers"
    DATES = "date or list of dates"
    TEXTS = "list of text"
    TABLE = "table"
    TABLES = "array of tables"
    TEXT_MAP = "table of text"


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    kind: Kind
    doc: str
    required: bool = False
    default: str | None = None
    example: Any = None
    choices: tuple[str, ...] = ()
    pattern: str | None = None
    fields: tuple[Field, ...] = ()
    # The doc for a clerk who reads Chinese, where it reaches a message (E102's hint):
    # required keys and tables.
    zh: str = ""

    def child(self, name: str) -> Field | None:
        for field in self.fields:
            if field.name == name:
                return field
        return None


def _task_fields(*, in_measure: bool) -> tuple[Field, ...]:
    """Keys of a task; a measure without tasks takes the same keys but the title."""
    where = "the measure" if in_measure else "this task"
    fields = [
        Field(
            "id",
            Kind.TEXT,
            "A stable id for this task, unique within the unit.",
            pattern=ID_PATTERN,
            example="study-1",
        ),
        Field(
            "owner",
            Kind.TEXT,
            "The one person responsible; a name, optionally with an address: "
            '"张伟 <zw@example.cn>".',
            default="the measure's owner" if not in_measure else None,
            example="李强",
        ),
        Field(
            "due",
            Kind.DATE,
            "The due date (the first occurrence, for a repeating task).",
            default="the measure's due" if not in_measure else None,
            example="2023-09-28",
        ),
        Field(
            "due_workdays",
            Kind.INTEGER,
            "Instead of due: the task is due this many working days after `from` (1 to "
            "2500), counted with the campaign's [calendar] (Monday to Friday without one).",
            example=5,
        ),
        Field(
            "from",
            Kind.DATE,
            "With due_workdays: the day the working days are counted after.",
            example="2023-09-28",
        ),
        Field(
            "done",
            Kind.DATES,
            f"The day {where} was done; absent means open. For a repeating task, a list: "
            "the n-th date completes the n-th occurrence.",
            example="2023-09-27",
        ),
        Field(
            "repeat",
            Kind.TEXT,
            'A recurrence: "daily", "weekly", "biweekly", "monthly", "dekadly" '
            "(the 10th, 20th and last day of each month), or RFC 5545 RRULE text "
            'such as "FREQ=WEEKLY;BYDAY=FR".',
            example="monthly",
        ),
        Field(
            "until",
            Kind.DATE,
            "With repeat: the last day an occurrence may fall on.",
            default="the campaign end",
            example="2023-12-31",
        ),
        Field(
            "shift",
            Kind.TEXT,
            "With repeat: an occurrence on a rest day of the campaign's [calendar] moves to "
            'the working day "before" or "after" it; "none" keeps it. Two that land on one '
            "day are one (docs/calendar.md).",
            default='"none"' if in_measure else 'the measure\'s shift, else "none"',
            choices=SHIFTS,
            example="after",
        ),
        Field(
            "note",
            Kind.TEXT,
            "Free text for people; the tool only shows it.",
            example="与市卫健委联合开展",
        ),
        Field(
            "postponed_from",
            Kind.DATE,
            "The original due date, kept when the due date was moved.",
            example="2023-10-15",
        ),
        Field(
            "postpone_reason",
            Kind.TEXT,
            "Why the due date was moved.",
            example="经领导小组研究调整",
        ),
    ]
    if not in_measure:
        fields.insert(
            0,
            Field(
                "title",
                Kind.TEXT,
                "What is to be done.",
                required=True,
                example="中心组专题学习(第一次)",
                zh="写明要做什么",
            ),
        )
    return tuple(fields)


TASK_FIELDS = _task_fields(in_measure=False)

UNIT_TABLE = Field(
    "unit",
    Kind.TABLE,
    "Who the list belongs to.",
    required=True,
    zh="写明这份清单是哪个单位的:名称、区县、层级、联系人",
    fields=(
        Field(
            "id",
            Kind.TEXT,
            "Unique in the campaign.",
            default="the file name without .toml",
            pattern=ID_PATTERN,
            example="erqi-committee",
        ),
        Field(
            "name",
            Kind.TEXT,
            "The unit's full name.",
            required=True,
            zh="单位全称",
            example="中共郑州市二七区委领导班子",
        ),
        Field(
            "county",
            Kind.TEXT,
            "A county code (or exact name) from campaign.toml.",
            required=True,
            zh="campaign.toml 里列出的区县代码(或区县的准确名称)",
            example="410103",
        ),
        Field(
            "level",
            Kind.TEXT,
            "County-level leadership team or grassroots unit.",
            required=True,
            zh="county 表示县级领导班子,grassroots 表示基层单位",
            choices=tuple(level.value for level in Level),
            example="county",
        ),
        Field(
            "contact",
            Kind.TEXT,
            "Answers for the whole list; escalations go to this person. "
            'A name, optionally with an address: "王红 <wh@example.cn>".',
            required=True,
            zh='为整份清单负责的人,逾期提醒会报给他;写名字,也可以带上邮箱:"王红 <wh@example.cn>"',
            example="王红",
        ),
        Field(
            "sector",
            Kind.TEXT,
            "The field the unit belongs to, one of the campaign's `sectors` (by default "
            + ", ".join(DEFAULT_SECTORS)
            + "); liaison groups and `rollup --by sector` read it.",
            default="none",
            example="学校",
        ),
        Field("note", Kind.TEXT, "Free text for people.", example="2023年9月13日部署"),
    ),
)

PEOPLE_TABLE = Field(
    "people",
    Kind.TEXT_MAP,
    "E-mail addresses of this unit's owners and contact, by name. "
    "A name means one person only within its unit unless an address joins them.",
    example={"张伟": "zhangwei@example.cn"},
    zh='本单位负责人和联系人的邮箱,一人一行:名字 = "邮箱"',
)


def measure_table(measure: MeasureDef) -> Field:
    return Field(
        measure.key,
        Kind.TABLE,
        f"The measure {measure.name}. Its owner and due are the defaults of its tasks; "
        "a measure without tasks counts as one task and needs its own owner and due.",
        required=True,
        fields=(
            *_task_fields(in_measure=True),
            Field(
                "tasks",
                Kind.TABLES,
                "The measure's tasks.",
                fields=TASK_FIELDS,
                zh="这项措施下的各项任务,一项任务写一栏",
            ),
        ),
        zh=f"措施“{measure.name}”;它的 owner(责任人)和 due(截止日期)是下面各项任务的默认值,"
        "没有任务的措施算作一项任务,要写上自己的 owner 和 due",
    )


@functools.lru_cache(maxsize=16)
def unit_schema(measures: tuple[MeasureDef, ...] = DEFAULT_MEASURES) -> Field:
    """The unit file's keys for these measures (built once per campaign, not per file)."""
    return Field(
        "",
        Kind.TABLE,
        "A unit file.",
        fields=(
            UNIT_TABLE,
            PEOPLE_TABLE,
            *(measure_table(m) for m in measures),
        ),
    )


REMIND_TABLE = Field(
    "remind",
    Kind.TABLE,
    "When `checklist remind` writes to whom.",
    zh="checklist remind 什么时候给谁发提醒",
    fields=(
        Field(
            "advance_days",
            Kind.INTEGERS,
            "Remind owners this many days before a due date.",
            default="[7, 3, 1, 0]",
            example=[7, 3, 1, 0],
        ),
        Field(
            "overdue_every",
            Kind.INTEGER,
            "Remind owners on the first day a task is overdue, then every this many days.",
            default="3",
            example=3,
        ),
        Field(
            "escalate_after",
            Kind.INTEGER,
            "Tell the unit's contact about tasks overdue this many days or more (then on "
            "the same cadence).",
            default="7",
            example=7,
        ),
        Field(
            "group_after",
            Kind.INTEGER,
            "Send each liaison group's contact one digest of its units' tasks overdue this "
            "many days or more (then on the same cadence); only with [[groups]].",
            default="14",
            example=14,
        ),
        Field(
            "lang",
            Kind.TEXT,
            "The language of the reminders, if not the campaign's.",
            choices=("zh", "en"),
            default="[campaign] lang",
            example="zh",
        ),
        Field(
            "channels",
            Kind.TEXTS,
            'How `--send` delivers: "email", "webhook" or both.',
            default="every channel configured below",
            example=["email"],
        ),
        Field(
            "subject",
            Kind.TEXT,
            "The subject of an owner's message; may use {campaign}, {name}, {overdue}, "
            "{soon}, {date}.",
            default="a sentence in the chosen language",
            example="【{campaign}】{name}:逾期 {overdue} 项",
        ),
        Field(
            "escalation_subject",
            Kind.TEXT,
            "The subject of an escalation; may use {campaign}, {name}, {unit}, {count}, "
            "{days}, {date}.",
            default="a sentence in the chosen language",
            example="【{campaign}】{unit}:{count} 项任务逾期 {days} 天以上",
        ),
    ),
)

SMTP_TABLE = Field(
    "smtp",
    Kind.TABLE,
    "The mail server for `checklist remind --send`. The password is read only from the "
    "environment, never from a file.",
    zh="checklist remind --send 发邮件用的邮件服务器;密码只从环境变量读取,不写在文件里",
    fields=(
        Field(
            "host",
            Kind.TEXT,
            "The server's name.",
            required=True,
            example="smtp.example.cn",
            zh="邮件服务器的地址",
        ),
        Field(
            "port",
            Kind.INTEGER,
            "The server's port.",
            default="465 for tls, 587 for starttls, 25 for none",
            example=465,
        ),
        Field(
            "security",
            Kind.TEXT,
            "How the connection is protected.",
            choices=("starttls", "tls", "none"),
            default="starttls",
            example="tls",
        ),
        Field(
            "user",
            Kind.TEXT,
            "Log in as this user (no login when absent).",
            example="checklist@example.cn",
        ),
        Field(
            "password_env",
            Kind.TEXT,
            "The environment variable holding the password.",
            default="CHECKLIST_SMTP_PASSWORD",
            example="CHECKLIST_SMTP_PASSWORD",
        ),
        Field(
            "sender",
            Kind.TEXT,
            "The From address.",
            required=True,
            zh="发件人(写名字和邮箱地址)",
            example="主题教育办 <checklist@example.cn>",
        ),
        Field(
            "ca_file",
            Kind.TEXT,
            "A PEM file of certificate authorities to trust, for a server with a private "
            "certificate (relative to campaign.toml).",
            default="the system's",
            example="certs/office-ca.pem",
        ),
        Field(
            "timeout",
            Kind.INTEGER,
            "Seconds one message may take, from connecting to the server's last answer.",
            default="20",
            example=20,
        ),
    ),
)

WEBHOOK_TABLE = Field(
    "webhook",
    Kind.TABLE,
    "A chat-group robot (WeCom, DingTalk) or any HTTP endpoint that takes a JSON POST.",
    zh="群机器人(企业微信、钉钉),或任何能接收 JSON POST 的网址",
    fields=(
        Field(
            "url",
            Kind.TEXT,
            "The endpoint (https:// or http://).",
            example="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…",
        ),
        Field(
            "url_env",
            Kind.TEXT,
            "An environment variable holding the endpoint, for URLs that carry a secret key.",
            example="CHECKLIST_WEBHOOK_URL",
        ),
        Field(
            "format",
            Kind.TEXT,
            "The payload: a generic JSON document, or a robot's markdown message.",
            choices=("generic", "wecom", "dingtalk"),
            default="generic",
            example="wecom",
        ),
        Field(
            "timeout",
            Kind.INTEGER,
            "Seconds one message may take, from connecting to the end of the answer.",
            default="10",
            example=10,
        ),
    ),
)

LIGHTS_TABLE = Field(
    "lights",
    Kind.TABLE,
    "The traffic lights of `rollup` and `trend`: how far a row's done share may trail "
    "expected progress (the share of its tasks due by the day), in percentage points.",
    zh="亮灯规则:完成率落后序时进度多少个百分点亮黄灯、多少个亮红灯",
    fields=(
        Field(
            "yellow",
            Kind.INTEGER,
            "A row this many points behind or more is yellow (0 to 100, below red).",
            default="10",
            example=10,
        ),
        Field(
            "red",
            Kind.INTEGER,
            "A row this many points behind or more is red (0 to 100).",
            default="30",
            example=30,
        ),
    ),
)

HISTORY_TABLE = Field(
    "history",
    Kind.TABLE,
    "How `changes` and `rollup --history` read the git history of the unit files.",
    zh="读 git 历史(changes、rollup --history)时的规则",
    fields=(
        Field(
            "backdate_days",
            Kind.INTEGER,
            "A done date more than this many days before the commit that first recorded "
            "it is back-dated (补录) and flagged.",
            default="3",
            example=3,
        ),
    ),
)

GROUPS_TABLE = Field(
    "groups",
    Kind.TABLES,
    "Liaison groups (联络组): who supervises which units (`rollup --by group`, `--group`). "
    "A unit is a group's own when its id is in `units`, or when it is in one of the "
    "`counties` and of one of the `sectors` (each, if given; a unit without a sector goes "
    "by its county alone); a group also covers its "
    "`subgroups`' units. `checklist validate` warns of units no group covers and of "
    "units two groups share unless one names the other in `overlaps`.",
    zh="联络组:哪个组督导哪些单位",
    fields=(
        Field(
            "name",
            Kind.TEXT,
            "The group's name, unique.",
            required=True,
            zh="联络组名称",
            example="第一联络组",
        ),
        Field(
            "contact",
            Kind.TEXT,
            "Who answers for the group: a name, optionally with an address: "
            '"李明 <lm@example.cn>".',
            required=True,
            zh='联络组的联系人,可带邮箱:"李明 <lm@example.cn>"',
            example="李明 <lm@example.cn>",
        ),
        Field(
            "counties",
            Kind.TEXTS,
            "County codes (or exact names) whose units it covers.",
            default="every county, if sectors are given",
            example=["410102", "410103"],
        ),
        Field(
            "sectors",
            Kind.TEXTS,
            "Sectors whose units it covers.",
            default="every sector, if counties are given",
            example=["学校"],
        ),
        Field(
            "units",
            Kind.TEXTS,
            "Unit ids it covers whatever their county and sector.",
            default="[]",
            example=["zz-metro-group"],
        ),
        Field(
            "subgroups",
            Kind.TEXTS,
            "Names of the groups under it; it covers their units too.",
            default="[]",
            example=["教育一组"],
        ),
        Field(
            "overlaps",
            Kind.TEXTS,
            "Names of the groups it may share units with, on purpose.",
            default="[]",
            example=["第六联络组"],
        ),
    ),
)

BULLETIN_TABLE = Field(
    "bulletin",
    Kind.TABLE,
    "The bulletin as an official document (`bulletin --format docx`): who issues it, "
    "its title and its document number (文号).",
    zh="通报(公文)的发文机关、标题和发文字号",
    fields=(
        Field(
            "office",
            Kind.TEXT,
            "The issuing office (发文机关), atop the document in red and signed under it; "
            "`--office` overrides it.",
            default="the campaign's name",
            example="郑州市主题教育领导小组办公室",
        ),
        Field(
            "title",
            Kind.TEXT,
            "The bulletin's own title, instead of the campaign's name, the period and its "
            "dates (which then follow on the line below it).",
            default="the campaign's name, the period and its dates",
            example="关于第二批主题教育推进情况的通报",
        ),
        Field(
            "number",
            Kind.TEXT,
            "The prefix of the document number (发文字号): the bulletin is numbered "
            "PREFIX〔YEAR〕N号, N the period's place in the campaign (its first week is 1).",
            default="no number",
            example="郑主教办",
        ),
    ),
)

MILESTONES_TABLE = Field(
    "milestones",
    Kind.TABLES,
    "Dated milestones (`rollup --milestones`): by `date`, every unit of the `level` "
    "(in the `counties`) has its file committed, or has started. A unit file's "
    "submission day is the day of its first commit.",
    zh="时间节点:到某一天,某一层级的单位都要提交清单文件(或开始落实)",
    fields=(
        Field(
            "date",
            Kind.DATE,
            "The last day on which it is met in time.",
            required=True,
            zh="节点日期",
            example="2023-09-13",
        ),
        Field(
            "name",
            Kind.TEXT,
            "What the milestone is called in reports.",
            required=True,
            zh="节点名称",
            example="县级清单全部报送",
        ),
        Field(
            "level",
            Kind.TEXT,
            "The level of the units it applies to.",
            choices=("county", "grassroots"),
            default="every level",
            example="county",
        ),
        Field(
            "counties",
            Kind.TEXTS,
            "The county codes it applies to.",
            default="every county",
            example=["410102", "410103"],
        ),
        Field(
            "expect",
            Kind.TEXT,
            'What must exist by then: `"file"`, the unit\'s file committed; `"started"`, '
            "a task of it marked done.",
            choices=("file", "started"),
            default='"file"',
            example="file",
        ),
        Field(
            "expected_units",
            Kind.INTEGER,
            "How many units each county should have met it with.",
            default="the county's `expected_units` when the milestone has no level",
            example=1,
        ),
    ),
)

CALENDAR_TABLE = Field(
    "calendar",
    Kind.TABLE,
    "Working days (docs/calendar.md): the official holidays and make-up workdays (调休) "
    "of `country`, the campaign's own days on top; `count` says how days overdue are counted.",
    zh="工作日历:法定节假日和调休上班日,加上本活动自己的放假、上班日;逾期天数按什么计",
    fields=(
        Field(
            "country",
            Kind.TEXT,
            'Whose official calendar: `"CN"`, the State Council\'s holidays and make-up '
            "workdays (from the chinesecalendar package). A year it does not cover yet is "
            "a warning: list that year's days below.",
            choices=("CN",),
            default="none: Monday to Friday are working days",
            example="CN",
        ),
        Field(
            "holidays",
            Kind.DATES,
            "Rest days of the campaign's own, or of a year not yet published.",
            default="[]",
            example=["2027-01-01"],
        ),
        Field(
            "workdays",
            Kind.DATES,
            "Working days of the campaign's own (a make-up Saturday, say); a day in both "
            "lists is a working day.",
            default="[]",
            example=["2027-02-06"],
        ),
        Field(
            "count",
            Kind.TEXT,
            'What "days overdue" counts in every report and reminder: `"days"` (calendar '
            'days) or `"workdays"` (working days after the due date, up to the report day).',
            choices=("days", "workdays"),
            default='"days"',
            example="workdays",
        ),
    ),
)

CAMPAIGN_SCHEMA = Field(
    "",
    Kind.TABLE,
    "campaign.toml",
    fields=(
        Field(
            "campaign",
            Kind.TABLE,
            "The campaign itself.",
            required=True,
            zh="活动本身:名称、开始和结束日期",
            fields=(
                Field(
                    "name",
                    Kind.TEXT,
                    "The campaign's name.",
                    required=True,
                    zh="活动名称",
                    example="郑州市第二批主题教育",
                ),
                Field(
                    "start",
                    Kind.DATE,
                    "The first day.",
                    required=True,
                    example="2023-09-09",
                    zh="活动开始的日子",
                ),
                Field(
                    "end",
                    Kind.DATE,
                    "The last day; no due date may fall after it.",
                    required=True,
                    zh="活动的最后一天;任何截止日期都不能晚于它",
                    example="2024-01-31",
                ),
                Field(
                    "timezone",
                    Kind.TEXT,
                    'An IANA time zone: what "today" means for the campaign.',
                    default="the machine's local time zone",
                    example="Asia/Shanghai",
                ),
                Field(
                    "lang",
                    Kind.TEXT,
                    "The language every command speaks: validation messages, reports, "
                    "reminders. `--lang`, or a locale that names a language, overrides it.",
                    choices=("zh", "en"),
                    default="en",
                    example="zh",
                ),
                Field(
                    "exclude",
                    Kind.TEXTS,
                    "Glob patterns, relative to the campaign folder, of .toml files that are "
                    "not unit files.",
                    default="[]",
                    example=["templates/*.toml"],
                ),
                Field(
                    "sectors",
                    Kind.TEXTS,
                    "The sectors a unit's `sector` may name.",
                    default=", ".join(DEFAULT_SECTORS),
                    example=["机关", "学校", "医院", "企业"],
                ),
            ),
        ),
        Field(
            "measures",
            Kind.TABLES,
            "The measures every unit lists, in order. Keys are lower-case identifiers.",
            zh="每个单位都要列出的措施,按顺序;key 用小写英文字母",
            default="the five measures study, research, development, rectification, institutions",
            fields=(
                Field(
                    "key",
                    Kind.TEXT,
                    "The table name unit files use.",
                    required=True,
                    zh="单位清单文件里这项措施的栏目名,如 study",
                    pattern=MEASURE_KEY_PATTERN,
                    example="study",
                ),
                Field(
                    "name",
                    Kind.TEXT,
                    "The name people read.",
                    required=True,
                    example="理论学习",
                    zh="措施的中文名称,如 理论学习",
                ),
            ),
        ),
        Field(
            "counties",
            Kind.TABLES,
            "One per county-level area; the unit of roll-up.",
            required=True,
            zh="每个县级区域写一栏(code 和 name),汇总按区域统计",
            fields=(
                Field(
                    "code",
                    Kind.TEXT,
                    "A stable code (GB/T 2260 where one exists).",
                    required=True,
                    zh="固定不变的代码(有行政区划代码 GB/T 2260 的就用它)",
                    example="410103",
                ),
                Field(
                    "name",
                    Kind.TEXT,
                    "The area's name.",
                    required=True,
                    example="二七区",
                    zh="区域名称",
                ),
                Field(
                    "expected_units",
                    Kind.INTEGER,
                    "How many unit files this county should have.",
                    example=12,
                ),
            ),
        ),
        REMIND_TABLE,
        SMTP_TABLE,
        WEBHOOK_TABLE,
        LIGHTS_TABLE,
        HISTORY_TABLE,
        MILESTONES_TABLE,
        CALENDAR_TABLE,
        GROUPS_TABLE,
        BULLETIN_TABLE,
    ),
)


# How editors' tools see a TOML date (tested in tests/test_editors.py): tombi reads
# {"type": "string", "format": "date"} as "a TOML local date" and rejects a quoted one;
# taplo and check-jsonschema turn every date into a JSON string before validating, so a
# quoted date that looks right is the same string to them and no schema can tell the two
# apart. Only `checklist validate` (E104 date-as-string) catches it there.
_DATE_SCHEMA = {"type": "string", "format": "date"}
SCHEMA_FILE = "unit.schema.json"  # in units/, where `init` writes it


def _json_schema(field: Field) -> dict[str, Any]:
    """Translate one declaration; TOML dates map to JSON Schema's date format (see above)."""
    node: dict[str, Any]
    match field.kind:
        case Kind.TEXT:
            node = {"type": "string", "minLength": 1}
            if field.choices:
                node["enum"] = list(field.choices)
            if field.pattern:
                node["pattern"] = field.pattern
        case Kind.DATE:
            node = dict(_DATE_SCHEMA)
        case Kind.INTEGER:
            node = {"type": "integer", "minimum": 0}
        case Kind.DATES:
            node = {"anyOf": [_DATE_SCHEMA, {"type": "array", "items": _DATE_SCHEMA}]}
        case Kind.TEXTS:
            node = {"type": "array", "items": {"type": "string"}}
        case Kind.INTEGERS:
            node = {"type": "array", "items": {"type": "integer", "minimum": 0}}
        case Kind.TEXT_MAP:
            node = {"type": "object", "additionalProperties": {"type": "string", "format": "email"}}
        case Kind.TABLE | Kind.TABLES:
            table: dict[str, Any] = {
                "type": "object",
                "properties": {f.name: _json_schema(f) for f in field.fields},
                "additionalProperties": False,
            }
            required = [f.name for f in field.fields if f.required]
            if required:
                table["required"] = required
            node = table if field.kind is Kind.TABLE else {"type": "array", "items": table}
    if field.doc:
        node["description"] = field.doc
    if field.default is not None:
        node["x-default"] = field.default
    return node


def json_schema(campaign: Campaign | None = None) -> dict[str, Any]:
    """A draft-07 JSON Schema for unit files of this campaign (or the default measures)."""
    measures = campaign.measures if campaign else DEFAULT_MEASURES
    schema = _json_schema(unit_schema(measures))
    if campaign:
        county = schema["properties"]["unit"]["properties"]["county"]
        county["enum"] = [c.code for c in campaign.counties] + [c.name for c in campaign.counties]
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": "https://checklist.invalid/unit.schema.json",
        "title": "checklist unit file" + (f" ({campaign.name})" if campaign else ""),
        **schema,
    }


def json_schema_text(campaign: Campaign | None = None) -> str:
    """The schema as `checklist schema` prints it and `init` writes it: one text for both."""
    import json

    return json.dumps(json_schema(campaign), ensure_ascii=False, indent=2) + "\n"


def schema_stale(data: bytes, campaign: Campaign | None = None) -> str | None:
    """Why a written schema is not the one for this campaign, in a clerk's words; None if
    it is (its JSON compared, so an editor reformatting the file does not count)."""
    import json

    try:
        written = json.loads(data)
    except ValueError:
        return "it is not a JSON document"
    wanted = json_schema(campaign)
    if written == wanted:
        return None
    if not isinstance(written, dict) or not isinstance(written.get("properties"), dict):
        return "it is not a unit schema written by checklist"
    if set(written["properties"]) != set(wanted["properties"]):
        return "the measures of campaign.toml changed"
    county = ("properties", "unit", "properties", "county", "enum")
    if _at(written, county) != _at(wanted, county):
        return "the counties of campaign.toml changed"
    if written.get("title") != wanted["title"]:
        return "the campaign's name changed"
    return "another version of checklist wrote it"


def _at(node: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    return node
