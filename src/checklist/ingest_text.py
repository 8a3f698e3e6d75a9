"""One imported unit's file: ``checklist new``'s layout, with the sheet's tasks filled in.

Each line written is remembered with the row and column it came from, so that what the
checker finds in the text can be reported at the cell a clerk has to change.
"""

from __future__ import annotations

import tomllib
import unicodedata
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from checklist.errors import UsageError
from checklist.load.source import MAX_BYTES
from checklist.model import Campaign, Level
from checklist.scaffold import unit_toml, value

if TYPE_CHECKING:
    from checklist.ingest_rows import Row

# Where each line of the text came from: line number → (row, field).
Lines = dict[int, tuple[int, str]]
TASK_KEYS = ("title", "owner", "due", "done", "note")


@dataclass(slots=True)
class MeasureRows:
    """A measure's rows in one unit: its own (a row without a task) and its tasks'."""

    own: tuple[int, dict[str, object]] | None = None
    tasks: list[tuple[int, dict[str, object]]] = field(default_factory=list)


@dataclass(slots=True)
class UnitRows:
    """The rows of one unit, gathered while the sheet is read."""

    name: str
    first: Row
    fields: dict[str, tuple[object, int]] = field(default_factory=dict)  # value, row
    measures: dict[str, MeasureRows] = field(default_factory=dict)
    rows: list[Row] = field(default_factory=list)
    broken: bool = False  # a row of it has a problem: no file, and no further complaint

    def add(self, key: str, row: Row, values: dict[str, object]) -> bool:
        """Add a row to its measure; False if it is a second row without a task."""
        measure = self.measures.setdefault(key, MeasureRows())
        if "title" in values:
            measure.tasks.append((row.number, values))
        elif measure.own is not None:
            return False
        else:
            measure.own = (row.number, values)
        return True

    @property
    def tasks(self) -> int:
        return sum(len(m.tasks) or 1 for m in self.measures.values())


def _comment(text: str) -> str:
    """Text from campaign.toml, made safe for a comment, as scaffold makes it."""
    refused = ("Cc", "Cf", "Cs", "Zl", "Zp")
    return "".join("\ufffd" if unicodedata.category(c) in refused else c for c in text)


def unit_text(
    unit: UnitRows, *, unit_id: str, campaign: Campaign, schema: str | None
) -> tuple[str, Lines]:
    """The unit's file and where each of its lines came from; it must read back as the
    sheet's values (UsageError otherwise: a guard that should never fire)."""
    code = str(unit.fields["county"][0])
    county = campaign.county(code)
    assert county is not None
    level = unit.fields["level"][0]
    assert isinstance(level, Level)
    contact = str(unit.fields["contact"][0])
    head = unit_toml(
        unit_id=unit_id,
        name=unit.name,
        county=county,
        level=level,
        contact=contact,
        campaign=replace(campaign, measures=()),
        schema=schema,
    )
    out = head.rstrip("\n").split("\n")
    lines: Lines = {}
    sources = {"name": "unit", "county": "county", "level": "level", "contact": "contact"}
    for number, line in enumerate(out, 1):
        key = line.split(" = ", 1)[0]
        if key in sources:
            row = unit.first.number if key == "name" else unit.fields[sources[key]][1]
            lines[number] = (row, sources[key])
    expected: dict[str, Any] = {
        "unit": {"id": unit_id, "name": unit.name, "county": code, "level": str(level)}
        | {"contact": contact}
    }

    def emit(text: str, row: int, source: str) -> None:
        out.append(text)
        lines[len(out)] = (row, source)

    for measure in campaign.measures:
        rows = unit.measures[measure.key]
        table: dict[str, Any] = {}
        out.append("")
        emit(f"{'[' + measure.key + ']':<28}# {_comment(measure.name)}", unit.first.number, "unit")
        if rows.own is not None:
            row, values = rows.own
            for key in TASK_KEYS[1:]:
                if key in values:
                    emit(f"{key} = {value(values[key])}", row, _column(key))
                    table[key] = values[key]
        if rows.tasks:
            table["tasks"] = []
        for row, values in rows.tasks:
            out.append("")
            emit(f"[[{measure.key}.tasks]]", row, "task")
            for key in TASK_KEYS:
                if key in values:
                    emit(f"{key} = {value(values[key])}", row, _column(key))
            table["tasks"].append({k: values[k] for k in TASK_KEYS if k in values})
        expected[measure.key] = table
    text = "\n".join(out) + "\n"
    try:
        found = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        found = {}
    if found != expected or len(text.encode()) > MAX_BYTES:
        raise UsageError(
            f"the unit file of {unit.name!r} would not read back as the sheet's values; "
            "nothing was written",
            zh=f"单位 {unit.name!r} 的清单文件写出后读不回表格里的内容;什么都没有写入",
        )
    return text, lines


def _column(key: str) -> str:
    return {"title": "task"}.get(key, key)
