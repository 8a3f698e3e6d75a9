"""`checklist export`: the liaison groups' sheet (联络组), read back with openpyxl and
compared with `rollup --by group --format json` of the same day."""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from conftest import REPO, VALID_UNIT

EXAMPLE = REPO / "examples" / "zhengzhou"
COUNTS = ("units", "tasks", "done", "done_late", "open", "overdue", "due_soon", "postponed")
HEADERS = {
    "units": "Units",
    "tasks": "Tasks",
    "done": "Done",
    "done_late": "Done late",
    "open": "Open",
    "overdue": "Overdue",
    "due_soon": "Due soon",
    "postponed": "Postponed",
}


def _rollup(cli, *args: str | Path) -> dict[str, Any]:
    result = cli("rollup", *args, "--by", "group", "--lights", "--rank", "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def _export(cli, tmp_path: Path, *args: str | Path) -> openpyxl.Workbook:
    target = tmp_path / "ledger.xlsx"
    result = cli("export", *args, "-o", target)
    assert result.code == 0, result.err
    return openpyxl.load_workbook(target)


def _records(sheet) -> list[dict[str, Any]]:
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_the_groups_sheet_is_rollup_by_group(cli, tmp_path: Path) -> None:
    rollup = _rollup(cli, EXAMPLE)
    book = _export(cli, tmp_path, EXAMPLE)
    assert book.sheetnames[:3] == ["Summary", "Liaison groups", "Overdue and due soon"]
    sheet = book["Liaison groups"]
    records = _records(sheet)
    assert len(records) == len(rollup["rows"]) + 1 == 7
    for record, row in zip(records, [*rollup["rows"], rollup["total"]], strict=True):
        is_total = row is rollup["total"]
        assert record["Liaison group"] == ("Total" if is_total else row["name"])
        for key, header in HEADERS.items():
            assert record[header] == row[key], (row["key"], key)
        assert record["Done %"] == pytest.approx(row["completion"], abs=5e-5)
        assert record["On time %"] == pytest.approx(row["on_time"], abs=5e-5)
        assert record["Expected %"] == pytest.approx(row["expected"], abs=5e-5)
        assert record["Behind (pts)"] == pytest.approx(row["behind"], abs=0.05)
        assert record["Light"] == row["light"], row["key"]
        assert record["Note"] == ("worst" if row["worst"] else None)
    # Typed cells: counts and shares are numbers, names text.
    header = [c.value for c in sheet[1]]
    for name in ("Tasks", "Done %", "Behind (pts)"):
        column = header.index(name) + 1
        assert {sheet.cell(r, column).data_type for r in range(2, sheet.max_row + 1)} == {"n"}
    assert sheet.cell(2, header.index("Done %") + 1).number_format == "0.0%"
    assert all(sheet.cell(r, 1).data_type == "s" for r in range(2, sheet.max_row + 1))


def test_a_group_row_is_the_sum_of_its_units_rows(cli, tmp_path: Path) -> None:
    """Independently of the groups' code: each example unit's group as the seed's structure
    gives it (tests/test_groups.py), its row from ``rollup --by unit``, summed."""
    from test_groups import _expected

    units = json.loads(cli("rollup", EXAMPLE, "--by", "unit", "--format", "json").out)["rows"]
    sectors = {}
    for path in EXAMPLE.rglob("units/*/*.toml"):
        unit = tomllib.loads(path.read_text(encoding="utf-8"))["unit"]
        sectors[path.stem] = unit.get("sector")
    summed: dict[str, dict[str, int]] = {}
    for row in units:
        group = _expected(row["key"], row["county"], sectors[row["key"]])
        found = summed.setdefault(group, dict.fromkeys(COUNTS, 0))
        found["units"] += 1
        for key in COUNTS[1:]:
            found[key] += row[key]
    records = _records(_export(cli, tmp_path, EXAMPLE)["Liaison groups"])
    assert len(summed) == 6
    for record in records[:-1]:
        assert {key: record[HEADERS[key]] for key in COUNTS} == summed[record["Liaison group"]]
    assert records[-1]["Tasks"] == sum(g["tasks"] for g in summed.values()) == 873


def test_filters_narrow_the_groups_sheet(cli, tmp_path: Path) -> None:
    rollup = _rollup(cli, EXAMPLE, "--group", "第四联络组")
    records = _records(_export(cli, tmp_path, EXAMPLE, "--group", "第四联络组")["Liaison groups"])
    assert [(r["Liaison group"], r["Units"], r["Tasks"]) for r in records] == [
        (row["name"], row["units"], row["tasks"]) for row in rollup["rows"]
    ] + [("Total", rollup["total"]["units"], rollup["total"]["tasks"])]
    assert rollup["total"]["units"] == 5


def test_without_groups_there_is_no_groups_sheet(cli, tmp_path: Path, write_unit) -> None:
    path = write_unit("u.toml", VALID_UNIT)
    book = _export(cli, tmp_path, path.parent.parent.parent)
    assert "Liaison groups" not in book.sheetnames
    assert book.sheetnames[:2] == ["Summary", "Overdue and due soon"]


HOSTILE = ['=HYPERLINK("http://x","y")', "+1", "@SUM(A1)"]


def test_hostile_group_names_are_plain_strings(cli, tmp_path: Path) -> None:
    root = tmp_path / "c"
    shutil.copytree(EXAMPLE, root)
    config = root / "campaign.toml"
    text = config.read_text(encoding="utf-8")
    for old, new in zip(("第四联络组", "第五联络组", "第六联络组"), HOSTILE, strict=True):
        text = text.replace(f'name = "{old}"', f"name = {json.dumps(new)}")
    config.write_text(text, encoding="utf-8")
    sheet = _export(cli, tmp_path, root)["Liaison groups"]
    cells = [sheet.cell(r, 1) for r in range(2, sheet.max_row + 1)]
    found = [c for c in cells if c.value in HOSTILE]
    assert sorted(c.value for c in found) == sorted(HOSTILE)
    assert all(c.data_type == "s" and c.hyperlink is None for c in found)
