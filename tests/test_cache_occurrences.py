"""The index's occurrences: their states in SQL equal status's, every day, after any edit.

One row per occurrence, day-independent: the state on a report day is a comparison of
ISO dates in SQL (store.STATE_SQL). Checked against status.items and status.classify,
computed from scratch from the units, for every day of a generated campaign and the
days around it, after edits, deletions and renames of files.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from collections import Counter
from pathlib import Path

from checklist.dates import shift
from checklist.load.campaign import load_campaign
from checklist.load.discover import discover
from checklist.load.rows import STATE_SQL
from checklist.load.store import Store
from checklist.load.validate import validate
from checklist.model import Campaign, Unit
from checklist.status import classify, items
from conftest import OLD

CITY_SEED = 7

SOON = 7


def _aged(root: Path) -> None:
    for path in root.rglob("*.toml"):
        os.utime(path, (OLD, OLD))


def _units(root: Path, campaign: Campaign, store: Store | None) -> tuple[Unit, ...]:
    files = discover([root], campaign)
    report = validate(files, campaign=campaign, today=campaign.end, cache=store)
    return tuple(r.unit for r in report.results if r.unit is not None)


def _expected(units: tuple[Unit, ...], campaign: Campaign, day: dt.date) -> Counter[tuple]:
    return Counter(
        (
            i.unit.id,
            i.task.measure,
            i.task.owner.name,
            i.task.owner.address,
            i.task.title,
            i.occurrence,
            i.due.isoformat(),
            str(i.state),
        )
        for i in items(units, campaign=campaign, as_of=day, soon=SOON)
    )


def _days(campaign: Campaign) -> list[dt.date]:
    first = campaign.start - dt.timedelta(days=2)
    return [first + dt.timedelta(days=n) for n in range((campaign.end - first).days + 3)]


def _states(store: Store, *, as_of: dt.date, soon: int) -> list[tuple[object, ...]]:
    """Each stored occurrence: unit, measure, owner's name and address, title, number,
    due date, and its state on the day as STATE_SQL gives it."""
    assert store.conn is not None
    day = {"as_of": as_of.isoformat(), "horizon": shift(as_of, soon).isoformat()}
    return store.conn.execute(
        f"""SELECT f.unit_id, o.measure, t.owner_name, t.owner_address, t.title, o.n, o.due,
            o.state FROM (SELECT *, {STATE_SQL} AS state FROM occurrences) o
            JOIN files f ON f.id = o.file JOIN tasks t ON t.file = o.file AND t.seq = o.seq""",
        day,
    ).fetchall()


def _agree(root: Path) -> int:
    """Fill the index from the files, then compare every day; the number of occurrences."""
    campaign = load_campaign(root / "campaign.toml")
    units = _units(root, campaign, None)  # from scratch, no index
    assert units == _units(root, campaign, Store.open(campaign))  # the index is filled
    store = Store.open(campaign)
    try:
        for day in _days(campaign):
            found = Counter(_states(store, as_of=day, soon=SOON))
            assert found == _expected(units, campaign, day), day
    finally:
        store.close()
    return sum(_expected(units, campaign, campaign.start).values())


def test_the_states_in_sql_are_status_s_on_every_day(generated: Path, tmp_path: Path) -> None:
    root = tmp_path / "city"
    subprocess.run(["cp", "-r", str(generated), str(root)], check=True)
    _aged(root)
    occurrences = _agree(root)
    assert occurrences > 400  # repeating tasks count once per occurrence
    campaign = load_campaign(root / "campaign.toml")
    store = Store.open(campaign)
    day = dt.date(2023, 11, 20)
    states = Counter(state for *_, state in _states(store, as_of=day, soon=SOON))
    store.close()
    assert set(states) == {"done", "done_late", "overdue", "due_soon", "open"}


def test_the_states_follow_edits_deletions_and_renames(generated: Path, tmp_path: Path) -> None:
    root = tmp_path / "city"
    subprocess.run(["cp", "-r", str(generated), str(root)], check=True)
    _aged(root)
    before = _agree(root)
    files = sorted(root.joinpath("units").rglob("*.toml"))
    edited, deleted, renamed = files[0], files[1], files[2]
    text = edited.read_text(encoding="utf-8")
    # Every task of the file due on the campaign's last day, none of them done.
    lines = [
        line
        for line in text.splitlines()
        if not line.startswith(("done", "postponed_from", "postpone_reason"))
    ]
    lines = ["due = 2024-01-31" if line.startswith("due =") else line for line in lines]
    edited.write_text("\n".join(lines) + "\n", encoding="utf-8")
    deleted.unlink()
    renamed.rename(renamed.with_name("renamed-" + renamed.name))
    _aged(root)
    after = _agree(root)
    assert after != before
    campaign = load_campaign(root / "campaign.toml")
    assert str(deleted) not in Store.open(campaign).paths()


def test_a_state_is_classify_s_for_every_pair_of_dates() -> None:
    """Every due date, done date (or none) and day in a small window, against classify."""
    import sqlite3

    conn = sqlite3.connect(":memory:")
    days = [dt.date(2023, 12, 28) + dt.timedelta(days=n) for n in range(12)]
    try:
        for due in days:
            for done in [None, *days]:
                for as_of in days:
                    for soon in (0, 3, 7):
                        got = conn.execute(
                            f"SELECT {STATE_SQL} FROM (SELECT :due AS due, :done AS done)",
                            {
                                "due": due.isoformat(),
                                "done": done and done.isoformat(),
                                "as_of": as_of.isoformat(),
                                "horizon": shift(as_of, soon).isoformat(),
                            },
                        ).fetchone()[0]
                        assert got == str(classify(due, done, as_of=as_of, soon=soon))
    finally:
        conn.close()
