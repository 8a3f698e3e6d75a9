"""Workbooks for the import tests, written with XlsxWriter as Excel would save them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from conftest import REPO

EXAMPLE = REPO / "examples" / "zhengzhou"
HEADER = (
    "单位",
    "区县",
    "层级",
    "联系人",
    "措施",
    "任务",
    "责任人",
    "完成时限",
    "完成时间",
    "备注",
)
SAFE = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


def book(
    path: Path,
    rows: Sequence[Sequence[object]],
    *,
    sheet: str = "Sheet1",
    header: Sequence[str] = HEADER,
    above: Sequence[Sequence[object]] = (),
    serials: bool = False,
) -> Path:
    """A workbook whose sheet holds ``above`` (title rows), the header, then ``rows``.

    A date is written as a real date cell, or with ``serials`` as Excel's day number in
    a plain number cell; text is always text, never a formula.
    """
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), SAFE)
    ws = workbook.add_worksheet(sheet)
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for r, row in enumerate([*above, header, *rows]):
        for c, value in enumerate(row):
            if isinstance(value, dt.date):
                if serials:
                    ws.write_number(r, c, (value - dt.date(1899, 12, 30)).days)
                else:
                    ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), day)
            elif isinstance(value, int | float) and not isinstance(value, bool):
                ws.write_number(r, c, value)
            elif value is not None and value != "":
                ws.write_string(r, c, str(value))
    workbook.close()
    return path


def example_rows() -> list[list[object]]:
    """The example campaign's tasks that do not repeat, one row each, in the template layout;
    a measure without tasks is a row without a task."""
    from checklist.load.campaign import load_campaign
    from checklist.load.check import check_unit
    from checklist.load.discover import discover

    campaign = load_campaign(EXAMPLE / "campaign.toml")
    counties = {c.code: c.name for c in campaign.counties}
    names = {m.key: m.name for m in campaign.measures}
    rows: list[list[object]] = []
    for path in sorted(discover([EXAMPLE], campaign)):
        result = check_unit(
            path.read_bytes(), file=str(path), campaign=campaign, today=dt.date(2023, 11, 20)
        )
        unit = result.unit
        assert unit is not None, result.problems
        level = "县级" if unit.level == "county" else "基层"
        for task in unit.tasks:
            if task.repeat:
                continue
            rows.append(
                [
                    unit.name,
                    counties[unit.county],
                    level,
                    unit.contact.name,
                    names[task.measure],
                    task.title if task.index else "",
                    task.owner.name if not task.owner.address else f"{task.owner.name}",
                    task.due,
                    task.done[0] if task.done else "",
                    task.note or "",
                ]
            )
    return rows
