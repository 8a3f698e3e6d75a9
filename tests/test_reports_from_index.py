"""Reports from the index's occurrence table print what the units' path prints.

A warm run (every file in the index) counts in SQL and makes only the listed items; each
is checked here against a run with --no-cache, which builds every unit from its file
and expands its occurrences in Python, on a generated campaign with repeating tasks and
postponements, on days across the campaign, with every filter; and the index must be
the one that answered (else the comparison would prove nothing).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import OLD, REPO, Result, stored_index, tamper_index

CITY_SEED = 11

DAYS = ("2023-09-01", "2023-10-15", "2023-11-20", "2024-01-31")


def _same(cli: Callable[..., Result], answered: list[bool], *args: str) -> Result:
    """A warm run equals a run without the index, and the index answered it."""
    afresh = cli(*args, "--no-cache")
    before = len(answered)
    warm = cli(*args)
    asked = answered[before:]  # whether this run asked the index, and its answer
    assert asked[-1:] == [True], args
    assert (warm.code, warm.out, warm.err) == (afresh.code, afresh.out, afresh.err), args
    return warm


def _values(cli: Callable[..., Result], city: Path) -> tuple[list[str], list[str], list[str]]:
    """Some counties, unit ids and owners (names and addresses) of the campaign."""
    units = json.loads(cli("rollup", city, "--by", "unit", "--format", "json", "--no-cache").out)
    tasks = json.loads(cli("status", city, "--all", "--format", "json", "--no-cache").out)
    counties = sorted({row["county"] for row in units["rows"] if row["units"]})
    owners = sorted({t["owner"] for t in tasks["tasks"]})
    addresses = sorted({t["owner_address"] for t in tasks["tasks"] if t["owner_address"]})
    return counties, [row["key"] for row in units["rows"]], [*owners[:2], *addresses[:1]]


def _cases(counties: list[str], units: list[str], owners: list[str]) -> Iterator[tuple[str, ...]]:
    yield ()
    yield ("--county", counties[0])
    yield ("--county", counties[0], "--county", counties[-1], "--level", "county")
    yield ("--unit", units[0], "--unit", units[-1])
    yield ("--owner", owners[0])
    yield ("--owner", owners[-1], "--measure", "study")
    yield ("--measure", "study", "--measure", "research")
    yield ("--level", "township")
    yield ("--unit", units[1], "--measure", "development")


@pytest.mark.parametrize("day", DAYS)
def test_rollup_from_the_index_is_rollup_from_the_units(
    cli, answered: list[bool], city: Path, day: str
) -> None:
    counties, units, owners = _values(cli, city)
    assert cli("rollup", city).code == 0  # fills the index
    for case in _cases(counties, units, owners):
        for by in ("county", "level", "measure"):
            base = ("rollup", city, "--as-of", day, "--by", by, *case)
            _same(cli, answered, *base, "--format", "json", "--measures")
            _same(cli, answered, *base, "--format", "csv", "--measures", "--sort", "overdue")
        _same(cli, answered, "rollup", city, "--as-of", day, "--lights", "--rank", *case)
        _same(cli, answered, "rollup", city, "--as-of", day, "--compare", day, "--rank", *case)


@pytest.mark.parametrize("day", DAYS)
def test_status_from_the_index_is_status_from_the_units(
    cli, answered: list[bool], city: Path, day: str
) -> None:
    counties, units, owners = _values(cli, city)
    assert cli("status", city).code == 0  # fills the index
    for case in _cases(counties, units, owners):
        base = ("status", city, "--as-of", day, *case)
        _same(cli, answered, *base)
        _same(cli, answered, *base, "--format", "json", "--fail-on-overdue")
        _same(cli, answered, *base, "--format", "csv")
        long = ("--state", "done_late", "--state", "open", "--format", "markdown")
        _same(cli, answered, *base, "--soon", "10", "--format", "json")
        _same(cli, answered, *base, "--all", "--format", "csv")
        _same(cli, answered, *base, *long)


@pytest.mark.parametrize("day", DAYS)
def test_status_counted_in_working_days_from_the_index(
    cli, answered: list[bool], city: Path, day: str
) -> None:
    """Days overdue in working days: tasks due on days apart (a weekend's) are as many
    working days overdue, and the list orders them by their due day, as status.order."""
    config = city / "campaign.toml"
    config.write_text(
        config.read_text(encoding="utf-8") + '\n[calendar]\ncountry = "CN"\ncount = "workdays"\n',
        encoding="utf-8",
    )
    assert cli("status", city).code == 0  # fills the index
    for extra in ((), ("--soon", "10"), ("--all",)):
        _same(cli, answered, "status", city, "--as-of", day, *extra)
        _same(cli, answered, "status", city, "--as-of", day, *extra, "--format", "json")


@pytest.mark.parametrize("day", DAYS)
def test_trend_from_the_index_is_trend_from_the_units(
    cli, answered: list[bool], city: Path, day: str
) -> None:
    counties, units, owners = _values(cli, city)
    assert cli("trend", city).code == 0  # fills the index
    for case in _cases(counties, units, owners):
        for by, every in (("county", "week"), ("level", "dekad"), ("measure", "day")):
            base = ("trend", city, "--as-of", day, "--by", by, "--every", every, *case)
            _same(cli, answered, *base, "--format", "json")
            _same(cli, answered, *base, "--format", "csv")
        _same(cli, answered, "trend", city, "--as-of", day, *case)


@pytest.mark.parametrize("day", DAYS)
def test_remind_from_the_index_is_remind_from_the_units(
    cli, answered: list[bool], city: Path, day: str
) -> None:
    counties, units, owners = _values(cli, city)
    assert cli("remind", city).code == 0  # fills the index
    for case in _cases(counties, units, owners):
        base = ("remind", city, "--as-of", day, *case)
        _same(cli, answered, *base)
        _same(cli, answered, *base, "--format", "json")


def test_the_examples_from_the_index(cli, answered: list[bool], tmp_path: Path) -> None:
    root = tmp_path / "zhengzhou"
    shutil.copytree(REPO / "examples" / "zhengzhou", root)
    # A file with errors is counted out by the index as by the units' path.
    broken = root / "units" / "broken.toml"
    broken.write_text('[unit]\nid = "broken"\nname = 3\n', encoding="utf-8")
    for path in root.rglob("*.toml"):
        os.utime(path, (OLD, OLD))
    assert cli("rollup", root).code == 0
    warm = _same(cli, answered, "rollup", root, "--measures")
    assert warm.err.startswith("1 file(s) with problems were left out")
    _same(cli, answered, "status", root)
    _same(cli, answered, "status", root, "--soon", "7")
    _same(cli, answered, "rollup", root, "--by", "measure", "--format", "json", "--measures")


def test_a_damaged_occurrence_is_a_miss_and_is_written_again(
    cli, answered: list[bool], city: Path
) -> None:
    args = ("rollup", city, "--format", "json")
    afresh = cli(*args, "--no-cache")
    assert cli(*args).code == 0
    conn = sqlite3.connect(stored_index())
    try:
        # An overdue occurrence becomes done: a count would change if it were served.
        changed = conn.execute(
            "UPDATE occurrences SET done = '2023-01-01' WHERE rowid IN "
            "(SELECT rowid FROM occurrences WHERE done IS NULL LIMIT 1)"
        )
        conn.commit()
    except sqlite3.OperationalError:  # WITHOUT ROWID: by its key instead
        file, seq, n = conn.execute(
            "SELECT file, seq, n FROM occurrences WHERE done IS NULL LIMIT 1"
        ).fetchone()
        changed = conn.execute(
            "UPDATE occurrences SET done = '2023-01-01' WHERE file = ? AND seq = ? AND n = ?",
            (file, seq, n),
        )
        conn.commit()
    finally:
        conn.close()
    assert changed.rowcount == 1
    answered.clear()
    damaged = cli(*args)
    assert answered == [False]  # the damage was found: the units' path answered
    assert damaged.out == afresh.out
    again = cli(*args)
    assert answered == [False, True]  # the file was checked and written again
    assert again.out == afresh.out


@pytest.mark.parametrize(
    "forgery",
    [
        "UPDATE units SET name = 'forged'",
        "UPDATE tasks SET title = 'forged'",  # every task: the listed ones among them
        "UPDATE tasks SET owner_name = 'forged' WHERE done = ''",
    ],
)
def test_a_damaged_listed_unit_or_task_is_a_miss(
    cli, answered: list[bool], city: Path, forgery: str
) -> None:
    args = ("status", city, "--format", "json")
    afresh = cli(*args, "--no-cache")
    assert cli(*args).code == 0
    tamper_index(forgery)
    forged = _forged()
    assert forged > 0
    assert cli(*args).out == afresh.out
    assert _forged() < forged  # checked afresh and written again
    assert "forged" not in cli(*args).out
    assert answered[-1]  # every unit written again: the index answers once more


@pytest.mark.parametrize("table", ["tasks", "units"])
@pytest.mark.parametrize("output", ["table", "json"])
def test_a_listed_task_or_unit_whose_row_is_gone_is_a_miss(
    cli, answered: list[bool], city: Path, table: str, output: str
) -> None:
    """Not an item silently left out: the units' path lists it."""
    args = ("status", city, "--format", output)
    afresh = cli(*args, "--no-cache")
    assert cli(*args).code == 0
    listed = "SELECT file FROM occurrences WHERE done IS NULL AND due < '2023-11-01'"
    assert tamper_index(f"DELETE FROM {table} WHERE file IN ({listed} LIMIT 1)") > 0
    answered.clear()
    assert cli(*args).out == afresh.out
    assert cli(*args).out == afresh.out
    assert answered[-1]  # written again: the index answers once more


def _forged() -> int:
    conn = sqlite3.connect(stored_index())
    try:
        sql = "SELECT count(*) FROM {} WHERE 'forged' IN ({})"
        return sum(
            conn.execute(sql.format(table, columns)).fetchone()[0]
            for table, columns in (("units", "name"), ("tasks", "title, owner_name"))
        )
    finally:
        conn.close()


def test_an_edited_file_is_checked_alone_and_the_index_answers(
    cli, answered: list[bool], city: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One edit costs its own check: the index misses, names the file, and answers once it
    is checked and kept (the units' whole path is not run)."""
    from checklist.load import validate

    args = ("rollup", city, "--format", "json")
    assert cli(*args).code == 0
    unit = sorted(city.rglob("*.toml"))[-1]
    unit.write_text(unit.read_text(encoding="utf-8").replace("done = ", "# done = "), "utf-8")
    os.utime(unit, (OLD + 5, OLD + 5))
    checked: list[list[str]] = []
    real = validate._check_all

    def spy(paths: list[Path], **kwargs: object) -> object:
        checked.append([str(p) for p in paths])
        return real(paths, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(validate, "_check_all", spy)
    answered.clear()
    edited = cli(*args)
    assert answered == [False, True]  # missed, the file checked, then answered
    assert checked == [[str(unit)]]
    assert edited.out == cli(*args, "--no-cache").out
    _same(cli, answered, *args)


def test_many_edited_files_are_checked_a_batch_at_a_time_and_the_index_answers(
    cli, answered: list[bool], city: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past a few edits (a first run, a pull of many commits) the files are checked and
    their results written as they come, a batch at a time, so a run never holds every
    unit; then the index answers."""
    from checklist.cli import scope
    from checklist.load import store, validate

    monkeypatch.setattr(scope, "RECHECKED", 1)  # and a twentieth of 40 files is 2
    monkeypatch.setattr(scope, "KEPT_AT_ONCE", 7)
    monkeypatch.setattr(store, "BATCH", 3)
    held: list[int] = []
    sliced: list[int] = []
    write, recheck = store.Store.write, validate.recheck

    def writing(self: store.Store) -> None:
        held.append(len(self.pending))
        write(self)

    def checking(files: list[str], **kwargs: object) -> None:
        sliced.append(len(files))
        recheck(files, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(store.Store, "write", writing)
    monkeypatch.setattr(validate, "recheck", checking)
    args = ("rollup", city, "--format", "json")
    assert cli(*args).code == 0
    # The first run: 40 files, checked seven at a time, three results held at a time.
    assert sliced == [7, 7, 7, 7, 7, 5]
    assert max(held) == 3
    assert sum(held) == 40
    assert answered == [False, True]
    for unit in sorted(city.rglob("*.toml"))[-4:]:
        unit.write_text(unit.read_text(encoding="utf-8") + "\n# edited\n", "utf-8")
        os.utime(unit, (OLD + 5, OLD + 5))
    answered.clear()
    held.clear()
    sliced.clear()
    edited = cli(*args)
    assert answered == [False, True]
    assert sliced == [4]
    assert [n for n in held if n] == [3, 1]  # four edits
    assert edited.out == cli(*args, "--no-cache").out
    _same(cli, answered, *args)


def test_many_files_written_just_now_are_left_to_the_units_path(
    cli, answered: list[bool], city: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store does not keep a file written in the last two seconds (it may change
    again within its timestamp's tick): checking many such files for the index would
    be wasted, so the units' path checks them."""
    from checklist.cli import scope

    monkeypatch.setattr(scope, "RECHECKED", 1)
    args = ("rollup", city, "--format", "json")
    assert cli(*args).code == 0
    for unit in sorted(city.rglob("*.toml"))[-3:]:
        unit.write_text(unit.read_text(encoding="utf-8") + "\n# edited\n", "utf-8")
    answered.clear()
    edited = cli(*args)
    assert answered == [False]  # not checked for the index: the units' path ran
    assert edited.out == cli(*args, "--no-cache").out


def test_the_only_check_across_files_is_the_one_the_index_makes() -> None:
    """open_index answers for the checks across files with one query (a unit id used
    twice); a new check across files must be answered there too before this passes."""
    from checklist.rules.across import CROSS_CHECKS, duplicate_ids

    assert (duplicate_ids,) == CROSS_CHECKS


def test_a_unit_id_used_twice_is_left_to_the_units_path(
    cli, answered: list[bool], city: Path
) -> None:
    args = ("rollup", city, "--format", "json")
    assert cli(*args).code == 0
    named = [p for p in sorted(city.rglob("*.toml")) if "[unit]\nid = " in p.read_text("utf-8")]
    first = named[0]
    twin = first.with_name("twin-" + first.name)
    twin.write_text(first.read_text(encoding="utf-8"), encoding="utf-8")  # the same id = "…"
    os.utime(twin, (OLD, OLD))
    afresh = cli(*args, "--no-cache")
    assert json.loads(afresh.out)["skipped_files"] == 2  # E301 in both: each is left out
    answered.clear()
    for _ in range(2):  # the second run: every file is stored, the index is asked
        warm = cli(*args)
    # The first: the twin, new, is checked alone, and the index then meets its id twice.
    assert answered == [False, False, False]
    assert (warm.code, warm.out, warm.err) == (afresh.code, afresh.out, afresh.err)


# --- the seal (load/seal.py): a store found true is not checked again until it changes --


def _seal_of(store: Path) -> Path:
    return store.with_name(store.name + "-seal")


def test_a_store_found_true_is_sealed_and_not_checked_again(
    cli, answered: list[bool], checks: list[int], city: Path
) -> None:
    args = ("rollup", city, "--format", "json")
    afresh = cli(*args, "--no-cache")
    # 40 files, none stored: each is checked and kept, then every row is checked: sealed.
    first = cli(*args)
    assert (answered, checks) == ([False, True], [1])
    assert _seal_of(stored_index()).exists()
    second = cli(*args)  # the same stamps: not checked again
    assert (answered, checks) == ([False, True, True], [1])
    assert first.out == second.out == afresh.out


@pytest.mark.parametrize("seal", ["", "not json", "[[1, 2, 3]]", '{"a": 1}', "[[]]"])
def test_a_seal_that_is_not_the_stores_own_means_every_row_is_checked(
    cli, answered: list[bool], checks: list[int], city: Path, seal: str
) -> None:
    args = ("rollup", city, "--format", "json")
    cli(*args)
    cli(*args)
    _seal_of(stored_index()).write_text(seal, encoding="utf-8")
    checks.clear()
    cli(*args)
    assert checks == [1]


def test_a_row_damaged_after_the_seal_is_found_even_with_the_old_mtime(
    cli, answered: list[bool], checks: list[int], city: Path
) -> None:
    """Whoever writes the store changes its ctime, which no one sets back (os.utime
    restores the size-preserving forgery's mtime here): the seal breaks, the rows are
    checked, the damage is a miss."""
    args = ("rollup", city, "--format", "json")
    afresh = cli(*args, "--no-cache")
    cli(*args)
    cli(*args)
    store = stored_index()
    assert _seal_of(store).exists()
    before = store.stat()
    conn = sqlite3.connect(store)
    try:
        file, seq, n, due = conn.execute(
            "SELECT file, seq, n, due FROM occurrences WHERE done IS NULL LIMIT 1"
        ).fetchone()
        conn.execute(  # an open occurrence done on its due day: same length, same size
            "UPDATE occurrences SET done = due WHERE file = ? AND seq = ? AND n = ?",
            (file, seq, n),
        )
        conn.commit()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    os.utime(store, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = store.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (
        before.st_size,
        before.st_mtime_ns,
        before.st_ino,
    )
    assert after.st_ctime_ns != before.st_ctime_ns
    assert due
    answered.clear()
    checks.clear()
    damaged = cli(*args)
    assert checks == [1]
    assert answered == [False]  # found: the units' path answered
    assert damaged.out == afresh.out


def test_validate_reads_a_seal_but_finds_a_forgery_made_after_it(
    cli, monkeypatch: pytest.MonkeyPatch, city: Path
) -> None:
    """validate spares the files' checksums of a sealed store, and a problem row forged
    after the seal (its mtime restored) is still a miss: the file is checked again."""
    from checklist.load import store as store_module

    broken = sorted((city / "units").rglob("*.toml"))[0]
    broken.write_text(broken.read_text(encoding="utf-8") + "\nbogus = 1\n", encoding="utf-8")
    os.utime(broken, (OLD, OLD))
    afresh = cli("validate", city, "--format", "json", "--no-cache")
    first = cli("rollup", city)  # writes the index
    assert first.code in (0, 1), first.err
    cli("rollup", city)  # checks every row: sealed
    store = stored_index()
    assert _seal_of(store).exists()
    counted: list[int] = []
    real = store_module.digest

    def spy(value: object) -> bytes:
        counted.append(1)
        return real(value)  # type: ignore[arg-type]

    monkeypatch.setattr(store_module, "digest", spy)
    sealed = cli("validate", city, "--format", "json")
    assert counted == []  # no file's checksum computed
    assert sealed.out == afresh.out

    before = store.stat()
    conn = sqlite3.connect(store)
    try:
        changed = conn.execute("UPDATE problems SET message = upper(message)")
        conn.commit()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    assert changed.rowcount >= 1
    os.utime(store, ns=(before.st_atime_ns, before.st_mtime_ns))
    forged = cli("validate", city, "--format", "json")
    assert counted  # checked again
    assert forged.out == afresh.out


def test_status_and_remind_leave_the_collector_as_they_found_it(
    cli, answered: list[bool], city: Path
) -> None:
    """They stop the cyclic collector while they make their tasks (and remind freezes
    them); a caller that runs on, as these tests do, gets it back as it was."""
    import gc

    assert cli("status", city).code == 0  # fills the index
    gc.unfreeze()  # what earlier tests' cold runs froze (validate freezes what it made)
    for args in (("status",), ("remind",), ("remind", "--format", "json")):
        assert gc.isenabled()
        assert cli(*args, city, "--as-of", "2023-11-20").code == 0
        assert answered[-1] is True  # the index answered: the paths that pause it
        assert (gc.isenabled(), gc.get_freeze_count()) == (True, 0), args
    gc.disable()
    try:
        assert cli("status", city).code == 0
        assert not gc.isenabled()  # off before: left off
    finally:
        gc.enable()


@pytest.mark.parametrize("report", ["status", "remind"])
def test_damage_the_seal_did_not_see_is_a_miss_not_a_failure(cli, city: Path, report: str) -> None:
    """A unit row naming no level, sealed over by hand (as if a disk had changed it):
    the listing drops the file, which is checked and written again, with no traceback."""
    from checklist.load import seal

    args = (report, city, "--format", "json")
    afresh = cli(*args, "--no-cache")
    assert cli(*args).code == 0
    listed = "SELECT file FROM occurrences WHERE done IS NULL AND due < '2023-11-15'"
    assert tamper_index(f"UPDATE units SET level = 'planet' WHERE file IN ({listed})") > 0
    stamps = seal.stamps_of(stored_index())
    assert stamps is not None
    seal.put(stored_index(), stamps, frozenset({"rows", "tally"}))
    damaged = cli(*args)
    assert (damaged.code, damaged.out, damaged.err) == (afresh.code, afresh.out, afresh.err)
    assert tamper_index("DELETE FROM units WHERE level = 'planet'") == 0  # checked again
