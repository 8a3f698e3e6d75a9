"""The records every command works on: small, immutable, plain."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import NamedTuple

# Units, tasks, people and problems come back from worker processes and the cache by the ten
# thousand, so they have no slots: with slots, dataclasses unpickle through a Python-level
# __setstate__; without, pickle fills __dict__ in C, twice as fast (0.20 s against 0.43 s
# for 200,000), and load/rows.py sets a task's __dict__ in one step.


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Level(enum.StrEnum):
    COUNTY = "county"
    GRASSROOTS = "grassroots"


@dataclass(frozen=True)  # no slots: see the note above
class Problem:
    """One located mistake in one file."""

    file: str
    line: int
    column: int
    severity: Severity
    code: str
    rule: str
    message: str
    hint: str | None = None
    end_line: int | None = None
    end_column: int | None = None
    message_zh: str = ""  # message and hint for a clerk who reads Chinese
    hint_zh: str | None = None

    def speaking(self, lang: str) -> Problem:
        """This problem with its message and hint in ``lang`` ("zh" or "en")."""
        if lang != "zh" or not self.message_zh:
            return self
        return replace(self, message=self.message_zh, hint=self.hint_zh)


@dataclass(frozen=True, slots=True)
class County:
    code: str
    name: str
    expected_units: int | None = None


@dataclass(frozen=True, slots=True)
class MeasureDef:
    key: str
    name: str


DEFAULT_MEASURES = (
    MeasureDef("study", "理论学习"),
    MeasureDef("research", "调查研究"),
    MeasureDef("development", "推动发展"),
    MeasureDef("rectification", "检视整改"),
    MeasureDef("institutions", "建章立制"),
)


# The fields a supervision office sorts units by, when the campaign declares none.
DEFAULT_SECTORS = ("机关", "街道/乡镇", "村/社区", "学校", "医院", "企业", "其他")


@dataclass(frozen=True, slots=True)
class LiaisonGroup:
    """[[groups]]: a liaison group (联络组) and the units it supervises.

    A unit is the group's own when its id is in ``units``, or when it matches the
    ``counties`` and the ``sectors`` (each, if given); the group also covers every unit
    of its ``subgroups``. ``overlaps`` names the groups it may share units with.
    """

    name: str
    contact: str  # a name, optionally with an address: where the red digest goes
    counties: tuple[str, ...] = ()  # county codes
    sectors: tuple[str, ...] = ()
    units: tuple[str, ...] = ()  # unit ids
    subgroups: tuple[str, ...] = ()  # group names
    overlaps: tuple[str, ...] = ()  # group names


@dataclass(frozen=True, slots=True)
class Lights:
    """[lights]: how many percentage points behind expected progress turn a row yellow, red."""

    yellow: int = 10
    red: int = 30


@dataclass(frozen=True, slots=True)
class RemindConfig:
    advance_days: tuple[int, ...] = (7, 3, 1, 0)
    overdue_every: int = 3
    escalate_after: int = 7
    group_after: int = 14  # red: the liaison groups' contacts get a digest
    lang: str | None = None
    channels: tuple[str, ...] | None = None  # None: every channel configured
    subject: str | None = None
    escalation_subject: str | None = None


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    host: str
    sender: str
    port: int | None = None
    security: str = "starttls"
    user: str | None = None
    password_env: str = "CHECKLIST_SMTP_PASSWORD"
    ca_file: Path | None = None
    timeout: int = 20


@dataclass(frozen=True, slots=True)
class WebhookConfig:
    url: str | None = None
    url_env: str | None = None
    format: str = "generic"
    timeout: int = 10


@dataclass(frozen=True, slots=True)
class BulletinSettings:
    """[bulletin]: the issuing office (发文机关) atop the .docx bulletin, its own title,
    and the prefix of its document number (文号)."""

    office: str | None = None
    title: str | None = None
    number: str | None = None


@dataclass(frozen=True, slots=True)
class HistorySettings:
    """[history]: a done date written more than ``backdate_days`` after it is back-dated (补录)."""

    backdate_days: int = 3


@dataclass(frozen=True, slots=True)
class Milestone:
    """[[milestones]]: by ``date``, every unit (of ``level``, in ``counties``) has ``expect``.

    ``expect`` is "file" (the unit's file is committed) or "started" (a task of it is done).
    """

    date: dt.date
    name: str
    level: Level | None = None  # None: every level
    counties: tuple[str, ...] = ()  # county codes; none: every county
    expect: str = "file"
    expected_units: int | None = None  # per county; None: the county's expected_units


@dataclass(frozen=True, slots=True)
class CalendarSettings:
    """[calendar]: the official working days of ``country``, the campaign's own on top."""

    country: str | None = None  # "CN": the State Council's holidays and make-up workdays
    holidays: tuple[dt.date, ...] = ()
    workdays: tuple[dt.date, ...] = ()
    count: str = "days"  # what days_overdue counts: "days" or "workdays"


@dataclass(frozen=True, slots=True)
class Campaign:
    name: str
    start: dt.date
    end: dt.date
    counties: tuple[County, ...]
    measures: tuple[MeasureDef, ...] = DEFAULT_MEASURES
    timezone: str | None = None
    lang: str | None = None  # zh or en: what every command speaks unless told otherwise
    exclude: tuple[str, ...] = ()
    remind: RemindConfig = RemindConfig()
    smtp: SmtpConfig | None = None
    webhook: WebhookConfig | None = None
    lights: Lights = Lights()
    history: HistorySettings = HistorySettings()
    milestones: tuple[Milestone, ...] = ()
    calendar: CalendarSettings = CalendarSettings()
    sectors: tuple[str, ...] = DEFAULT_SECTORS
    groups: tuple[LiaisonGroup, ...] = ()
    bulletin: BulletinSettings = BulletinSettings()
    # campaign.toml's warnings (W410, W411): said by validate, they do not stop the campaign
    warnings: tuple[Problem, ...] = field(default=(), compare=False)
    config_path: Path = field(default=Path("campaign.toml"), compare=False)
    # county() and measure() by dict: a night's JSON asks once a task (170,000 times).
    _counties: dict[str, County] = field(init=False, repr=False, compare=False)
    _measures: dict[str, MeasureDef] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        counties: dict[str, County] = {}
        for county in self.counties:  # the first whose code or name it is, as before
            counties.setdefault(county.code, county)
            counties.setdefault(county.name, county)
        measures: dict[str, MeasureDef] = {}
        for measure in self.measures:
            measures.setdefault(measure.key, measure)
            measures.setdefault(measure.name, measure)
        object.__setattr__(self, "_counties", counties)
        object.__setattr__(self, "_measures", measures)

    @property
    def root(self) -> Path:
        return self.config_path.parent

    def county(self, code_or_name: str) -> County | None:
        """Find a county by code or exact name."""
        return self._counties.get(code_or_name)

    def group(self, name: str) -> LiaisonGroup | None:
        """Find a liaison group by name."""
        for group in self.groups:
            if group.name == name:
                return group
        return None

    def measure(self, key_or_name: str) -> MeasureDef | None:
        """Find a measure by key or exact name."""
        return self._measures.get(key_or_name)


@dataclass(frozen=True)  # no slots: see the note above
class Person:
    """An owner or contact; one person across units only when an address says so."""

    name: str
    address: str | None
    unit: str

    @property
    def key(self) -> str:
        return self.address.lower() if self.address else f"{self.unit}/{self.name}"


@dataclass(frozen=True)  # no slots: see the note above
class Task:
    """One task as written; a repeating task stands for all its occurrences."""

    measure: str
    index: int  # 1-based within its measure; 0 for a measure without tasks
    title: str
    owner: Person
    due: dt.date
    done: tuple[dt.date, ...] = ()
    repeat: str | None = None
    until: dt.date | None = None
    id: str | None = None
    note: str | None = None
    postponed_from: dt.date | None = None
    postpone_reason: str | None = None
    line: int = 1
    # A repeating task's occurrence on a rest day moves to the working day "before" or
    # "after" it; "none" keeps it (recur.task_dates, docs/calendar.md).
    shift: str = "none"


@dataclass(frozen=True)  # no slots: see the note above
class Unit:
    id: str
    name: str
    county: str  # the county code, even where the file names the county
    level: Level
    contact: Person
    tasks: tuple[Task, ...]
    file: str
    note: str | None = None
    sector: str | None = None


class State(enum.StrEnum):
    """A task's one state on the report day."""

    DONE = "done"
    DONE_LATE = "done_late"
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    OPEN = "open"


class Item(NamedTuple):
    """One task, or one occurrence of a repeating task, as it stands on the report day.

    A NamedTuple, not a dataclass: a report makes one per occurrence, 170,000 for a
    city, and a tuple is three times quicker to create (it is never pickled).
    """

    unit: Unit
    task: Task
    occurrence: int  # 1-based for a repeating task; 0 for a task that does not repeat
    due: dt.date
    done: dt.date | None  # None when not done by the report day
    state: State
    days_overdue: int | None
