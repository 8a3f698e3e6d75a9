"""The roll-up equals an independent recount of the status list, whatever the tasks."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from checklist.model import Campaign, County, Level, Person, State, Task, Unit
from checklist.rollup import By, rollup
from checklist.status import items

START, END = dt.date(2023, 9, 9), dt.date(2024, 1, 31)
COUNTIES = (County("A", "甲区", 3), County("B", "乙区"), County("C", "丙区", 1))
CAMPAIGN = Campaign("测试", START, END, COUNTIES)
MEASURES = [m.key for m in CAMPAIGN.measures]

days = st.integers(min_value=0, max_value=(END - START).days).map(
    lambda n: START + dt.timedelta(days=n)
)


@st.composite
def tasks(draw: st.DrawFn, unit: str) -> Task:
    due = draw(days)
    repeat = draw(st.sampled_from([None, None, None, "weekly", "monthly", "dekadly"]))
    done = tuple(sorted(draw(st.lists(days, max_size=3 if repeat else 1))))
    owner = draw(st.sampled_from(["张伟", "李强", "王红 <wh@example.cn>"]))
    name, _, address = owner.partition(" <")
    return Task(
        draw(st.sampled_from(MEASURES)),
        1,
        draw(st.text(min_size=1, max_size=8)),
        Person(name, address.rstrip(">") or None, unit),
        due,
        done,
        repeat,
    )


@st.composite
def units(draw: st.DrawFn) -> list[Unit]:
    found = []
    for n in range(draw(st.integers(min_value=0, max_value=6))):
        uid = f"u{n}"
        found.append(
            Unit(
                uid,
                f"单位{n}",
                draw(st.sampled_from(["A", "B", "C"])),
                draw(st.sampled_from(list(Level))),
                Person("联系人", None, uid),
                tuple(draw(st.lists(tasks(uid), min_size=1, max_size=5))),
                f"{uid}.toml",
            )
        )
    return found


def _recount(states: list[State]) -> dict[str, int]:
    count = Counter(states)
    done = count[State.DONE] + count[State.DONE_LATE]
    return {
        "tasks": len(states),
        "done": done,
        "done_late": count[State.DONE_LATE],
        "open": len(states) - done,
        "overdue": count[State.OVERDUE],
        "due_soon": count[State.DUE_SOON],
    }


def _counts(row_counts: object) -> dict[str, int]:
    return {
        k: getattr(row_counts, k)
        for k in ("tasks", "done", "done_late", "open", "overdue", "due_soon")
    }


@settings(max_examples=150, deadline=None)
@given(units(), days, st.integers(min_value=0, max_value=14))
def test_rollup_by_county_equals_a_recount_of_the_status_list(
    found: list[Unit], as_of: dt.date, soon: int
) -> None:
    status = list(items(found, campaign=CAMPAIGN, as_of=as_of, soon=soon))
    result = rollup(status, found, campaign=CAMPAIGN, by=By.COUNTY)
    assert [r.key for r in result.rows] == ["A", "B", "C"]  # every county, even empty ones
    for row in result.rows:
        mine = [i.state for i in status if i.unit.county == row.key]
        assert _counts(row.counts) == _recount(mine)
        assert row.units == len({u.id for u in found if u.county == row.key})
        if row.expected_units is not None:
            assert row.missing_units == max(row.expected_units - row.units, 0)
    assert _counts(result.total.counts) == _recount([i.state for i in status])
    assert result.total.units == len(found)


@settings(max_examples=100, deadline=None)
@given(units(), days, st.sampled_from(list(By)))
def test_every_grouping_sums_to_the_total_and_keeps_the_invariants(
    found: list[Unit], as_of: dt.date, by: By
) -> None:
    status = list(items(found, campaign=CAMPAIGN, as_of=as_of, soon=7))
    result = rollup(status, found, campaign=CAMPAIGN, by=by)
    summed = Counter[str]()
    for row in result.rows:
        counts = _counts(row.counts)
        summed.update(counts)
        assert counts["done_late"] <= counts["done"]
        assert counts["overdue"] + counts["due_soon"] <= counts["open"]
        assert sum(c.tasks for c in row.measures.values()) == counts["tasks"]
    assert {k: summed[k] for k in _counts(result.total.counts)} == _counts(result.total.counts)
    assert sum(1 for r in result.rows if r.worst) <= min(3, len(result.rows) // 4)
