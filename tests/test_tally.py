"""The tally: a whole campaign's rollup and trend from occurrences counted ahead.

It is kept with each file's rows, so after any edit, deletion or rename it must equal
the occurrences it counts, and it may answer only once a run has found it so; rollup and
trend from it print what the units' path prints (--no-cache).
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from checklist import indexed_tally
from checklist.load import tally
from checklist.load.seal import seal_path
from checklist.load.tally import SPREAD_KEY, TALLY_KEY
from conftest import OLD, Result, stored_index

CITY_SEED = 5


@pytest.fixture
def used(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How often the tally was checked against the occurrences, found wrong, and answered."""
    found = {"checked": 0, "answered": 0}
    check, counts = indexed_tally._checked, indexed_tally.rollup_counts

    def checked(index: object) -> bool:
        found["checked"] += 1
        true = check(index)  # type: ignore[arg-type]
        found["wrong"] = found.get("wrong", 0) + (not true)
        return true

    def answered(*args: object) -> object:
        found["answered"] += 1
        return counts(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(indexed_tally, "_checked", checked)
    monkeypatch.setattr(indexed_tally, "rollup_counts", answered)
    return found


_KEPT = (
    f"SELECT {TALLY_KEY}, n FROM tally WHERE n != 0 ORDER BY {TALLY_KEY}",
    f"SELECT {SPREAD_KEY}, units FROM spread WHERE units != 0 ORDER BY {SPREAD_KEY}",
)


def _kept_and_counted(*, summed: bool = True) -> tuple[list[tuple[object, ...]], ...]:
    """The tally and spread as kept, and as the occurrences count them now (and their
    checksums found true)."""
    conn = sqlite3.connect(stored_index())
    try:
        found = tuple(
            conn.execute(sql).fetchall()
            for sql in (_KEPT[0], indexed_tally._COUNTED, _KEPT[1], indexed_tally._SPREAD)
        )
        assert not summed or tally.kept_sums(conn) == tally.sums_of(conn)
        return found
    finally:
        conn.close()


REPORTS = (
    ("rollup", "--format", "json", "--measures"),
    ("rollup", "--by", "measure", "--format", "json", "--measures"),
    ("rollup", "--by", "level", "--measure", "study", "--format", "json"),
    ("rollup", "--county", "410181", "--level", "county", "--lights", "--rank"),
    ("trend", "--format", "json"),
    ("trend", "--by", "measure", "--every", "day", "--format", "csv"),
)


def _same(cli: Callable[..., Result], city: Path, *args: str) -> None:
    warm, afresh = cli(*args[:1], city, *args[1:]), cli(*args[:1], city, *args[1:], "--no-cache")
    assert (warm.code, warm.out, warm.err) == (afresh.code, afresh.out, afresh.err), args


def test_the_tally_answers_once_found_true_and_prints_what_the_units_print(
    cli, city: Path, used: dict[str, int]
) -> None:
    # Every file is checked and kept, then the index answers: its rows checked, then the
    # tally, both sealed.
    assert cli("rollup", city).code == 0
    assert used == {"checked": 1, "wrong": 0, "answered": 1}
    for report in REPORTS:
        _same(cli, city, *report)
    assert used["checked"] == 1  # the seal vouches for it from then on
    assert used["answered"] == 5  # the four rollups after the first
    kept, counted, spread, units = _kept_and_counted()
    assert (kept, spread) == (counted, units)
    assert sum(n for *_, n in kept) > 500  # the 40 units' occurrences, counted


def test_a_filter_the_tally_does_not_count_by_is_counted_from_the_occurrences(
    cli, city: Path, used: dict[str, int]
) -> None:
    cli("rollup", city)
    cli("rollup", city)
    before = used["answered"]
    status = cli("status", city, "--all", "--format", "json", "--no-cache").out
    unit, owner = (json.loads(status)["tasks"][0][key] for key in ("unit", "owner"))
    _same(cli, city, "rollup", "--format", "json", "--unit", unit)
    _same(cli, city, "trend", "--format", "json", "--owner", owner)
    assert used["answered"] == before


def _edit(city: Path, rng: random.Random, step: int) -> str:
    """One change a clerk makes: a task done or undone, a date moved, a file removed,
    renamed, or copied as a new unit. Returns what it did."""
    files = sorted(city.rglob("units/**/*.toml"))
    path = rng.choice(files)
    text = path.read_text(encoding="utf-8")
    kind = rng.choice(("undone", "moved", "deleted", "renamed", "copied", "broken"))
    if kind == "undone":
        path.write_text(text.replace("done = ", "# done = ", 1), "utf-8")
    elif kind == "moved":
        path.write_text(text.replace("due = 2023-1", "due = 2023-0", 2), "utf-8")
    elif kind == "deleted":
        path.unlink()
    elif kind == "renamed":
        path.rename(path.with_name(f"renamed-{step}-{path.name}"))
    elif kind == "copied":
        copy = path.with_name(f"copy-{step}-{path.name}")
        copy.write_text(text.replace("[unit]\n", f'[unit]\nid = "copy-{step}"\n', 1), "utf-8")
    else:  # an error: the file counts for nothing until it is mended
        path.write_text(text.replace("[unit]\n", "[unit]\nname = 3\n", 1), "utf-8")
    for each in city.rglob("units/**/*.toml"):
        os.utime(each, (OLD + step, OLD + step))
    return kind


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_after_edits_deletions_and_renames_the_tally_counts_the_occurrences(
    cli, city: Path, used: dict[str, int], seed: int
) -> None:
    rng = random.Random(seed)
    cli("rollup", city)
    done = []
    for step in range(1, 9):
        done.append(_edit(city, rng, step))
        _same(cli, city, "rollup", "--format", "json", "--measures")
        _same(cli, city, "trend", "--by", "level", "--format", "json")
        kept, counted, spread, units = _kept_and_counted()
        assert (kept, spread) == (counted, units), done
    # Kept with each write, and vouched for by the seal each write carries (load/seal.py):
    # checked once, by the first run, never found wrong, always the occurrences' count.
    assert used["checked"] == 1, done
    assert used.get("wrong", 0) == 0, done
    assert used["answered"] > 0, done


_FIRST = f"({TALLY_KEY}) = (SELECT {TALLY_KEY} FROM tally WHERE n > 0 LIMIT 1)"


@pytest.mark.parametrize(
    "damage",
    [
        f"UPDATE tally SET n = n + 1 WHERE {_FIRST}",  # a total would change if served
        f"UPDATE tally SET due = '2023-01-01' WHERE {_FIRST}",
        f"DELETE FROM tally WHERE {_FIRST}",
        "UPDATE spread SET units = units + 1",
        "UPDATE sums SET value = value + 1 WHERE name = 'tally'",
    ],
)
def test_a_damaged_tally_is_found_counted_around_and_made_again(
    cli, city: Path, used: dict[str, int], damage: str
) -> None:
    args = ("rollup", "--format", "json", "--measures")
    cli("rollup", city)
    _same(cli, city, *args)
    conn = sqlite3.connect(stored_index())
    try:
        assert conn.execute(damage).rowcount > 0
        conn.commit()
        assert tally.kept_sums(conn) != tally.sums_of(conn)
    finally:
        conn.close()
    used.clear()
    used.update(checked=0, answered=0)
    _same(cli, city, *args)  # the write broke the seal: checked, found wrong, made again
    assert used == {"checked": 1, "wrong": 1, "answered": 0}
    kept, counted, spread, units = _kept_and_counted()
    assert (kept, spread) == (counted, units)
    _same(cli, city, *args)  # found true now, and sealed
    assert used == {"checked": 2, "wrong": 1, "answered": 1}


def test_the_tally_counts_as_the_occurrences_on_every_day_of_the_campaign(cli, city: Path) -> None:
    """indexed_tally's comparisons against STATE_SQL's CASE, day by day, by each row kind,
    with and without filters: the same counts, and the measures in the same order."""
    import datetime as dt

    from checklist.filters import Filters
    from checklist.indexed import days_of, open_index, where_of
    from checklist.indexed_rollup import _counted, _tallied
    from checklist.load.campaign import find_config, load_campaign
    from checklist.load.discover import find
    from checklist.load.store import Store
    from checklist.model import Level
    from checklist.rollup import By

    cli("rollup", city)
    campaign = load_campaign(find_config([city]))
    index = open_index(Store.open(campaign), find([city], campaign).names, today=dt.date.today())
    assert index is not None
    assert indexed_tally.answers(index, Filters())
    chosen = (
        Filters(),
        Filters(counties=frozenset({"410181", "410102"}), levels=frozenset({Level("county")})),
        Filters(measures=frozenset({"study", "research"})),
    )
    day, compared = campaign.start - dt.timedelta(days=3), 0
    while day <= campaign.end + dt.timedelta(days=3):
        days = days_of(day, 7) | {"compare": (day - dt.timedelta(days=7)).isoformat()}
        for filters in chosen:
            where, params = where_of(filters)
            for by in (By.COUNTY, By.LEVEL, By.MEASURE):
                counted = _counted(index, by, where, params | days)
                tallied = _tallied(index, by, filters, days)
                assert tallied == counted, (day, by, filters)
                # Each row's measures in the order the run meets them (the rows' own
                # order is the frame's, not the counts').
                assert {g: list(m) for g, m in tallied[1].items()} == {
                    g: list(m) for g, m in counted[1].items()
                }
                compared += sum(sum(t[0] for t in m.values()) for m in counted[1].values())
        day += dt.timedelta(days=1)
    index.store.close()
    assert compared > 100_000  # every day's occurrences, counted nine ways


@pytest.mark.parametrize(
    "damage",
    [
        "UPDATE occurrences SET done = '2023-01-01' WHERE file = :file AND done IS NULL",
        "UPDATE files SET county = '410102' WHERE id = :file",
    ],
)
def test_a_file_whose_damaged_rows_are_replaced_leaves_the_tally_true(
    cli, city: Path, used: dict[str, int], damage: str
) -> None:
    """A file edited after its rows were damaged: its old rows are replaced before any
    report reads them, and what is taken out of the tally must be what was put in."""
    args = ("rollup", "--format", "json", "--measures")
    cli("rollup", city)
    unit = sorted(city.rglob("units/**/*.toml"))[-1]
    conn = sqlite3.connect(stored_index())
    try:
        (file_id,) = conn.execute("SELECT id FROM files WHERE path = ?", (str(unit),)).fetchone()
        assert conn.execute(damage, {"file": file_id}).rowcount > 0
        conn.commit()
    finally:
        conn.close()
    unit.write_text(unit.read_text(encoding="utf-8") + "\n# edited\n", "utf-8")
    os.utime(unit, (OLD + 9, OLD + 9))
    used.clear()
    used.update(checked=0, answered=0)
    _same(cli, city, *args)  # the edit replaces the rows; the tally is counted again
    assert used["wrong"] == 1
    kept, counted, spread, units = _kept_and_counted()
    assert (kept, spread) == (counted, units)
    _same(cli, city, *args)
    assert used["answered"] == 1


def test_a_report_reads_one_snapshot_while_another_run_writes(cli, city: Path) -> None:
    """Another run replacing a file's rows while a report reads (its files row gone, its
    unit's row gone) is not half seen: the report counts the index as it opened it."""
    import datetime as dt

    from checklist.filters import Filters
    from checklist.indexed import open_index
    from checklist.indexed_rollup import rollup_standings
    from checklist.load.campaign import find_config, load_campaign
    from checklist.load.discover import find
    from checklist.load.store import Store

    cli("rollup", city)
    campaign = load_campaign(find_config([city]))
    names = find([city], campaign).names
    day = dt.date(2023, 11, 20)

    def counted(index: object) -> tuple[int, int]:
        result, _ = rollup_standings(
            index,  # type: ignore[arg-type]
            campaign=campaign,
            as_of=day,
            compare=day,
            soon=7,
            filters=Filters(),
        )
        return result.total.units, result.total.counts.tasks

    reading = open_index(Store.open(campaign), names, today=dt.date.today())
    assert reading is not None
    before = counted(reading)
    writer = Store.open(campaign)
    assert writer.conn is not None
    (file_id,) = writer.conn.execute("SELECT min(file) FROM units").fetchone()
    writer.forget([file_id])  # committed while the report reads
    writer.close()
    assert counted(reading) == before
    with reading:
        pass
    after = open_index(Store.open(campaign), names, today=dt.date.today(), stale=[])
    assert after is None  # the file is missing now: a new snapshot sees it


def test_the_tally_is_checked_once_a_run_however_many_counts_ask(
    cli, city: Path, used: dict[str, int]
) -> None:
    """`rollup --by measure` asks for the counts and for the units per measure: one check."""
    cli("rollup", city)
    seal_path(stored_index()).unlink()  # no seal: the rows and the tally are checked again
    used.update(checked=0, answered=0)
    _same(cli, city, "rollup", "--by", "measure", "--format", "json")
    assert used == {"checked": 1, "wrong": 0, "answered": 1}


def test_a_write_does_not_wait_for_a_report_reading_its_snapshot(cli, city: Path) -> None:
    """A run that writes folds the journal into the file only when no report reads an
    older snapshot: folding it then would wait the store's whole busy timeout (5 s)."""
    import datetime as dt
    import time

    from checklist.indexed import open_index
    from checklist.load import store
    from checklist.load.campaign import find_config, load_campaign
    from checklist.load.discover import find
    from checklist.load.validate import recheck

    cli("rollup", city)
    campaign = load_campaign(find_config([city]))
    names = find([city], campaign).names
    reading = open_index(store.Store.open(campaign), names, today=dt.date.today())
    assert reading is not None
    writer = store.Store.open(campaign)
    started = time.monotonic()
    recheck([names[0]], campaign=campaign, today=dt.date.today(), cache=writer)
    waited = time.monotonic() - started
    writer.close()
    with reading:
        pass
    assert waited < store.BUSY_MS / 1000 / 2
