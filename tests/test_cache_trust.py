"""The cache is untrusted input: it never runs code, damage is a miss, and it notices every edit.

The command-level tests use only the CLI and cache_root(), so they run against any
version of the cache.
"""

from __future__ import annotations

import os
import pickle
import random
import shutil
import sqlite3
import stat
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checklist.load import cache
from checklist.load.cache import cache_root
from conftest import VALID_UNIT, Result, stored_index, tamper_index

COMMANDS = [
    ("status", "--all", "--format", "json"),
    ("rollup", "--by", "owner", "--format", "json"),
    ("remind", "--format", "json"),
    ("validate", "--format", "json"),
]
OLD = 1_600_000_000  # an mtime long past: the file is not "racily clean"


@pytest.fixture
def small(write_unit: Callable[..., Path], tmp_path: Path) -> Path:
    """A one-unit campaign whose file looks old enough to be cached."""
    unit = write_unit("erqi-test.toml", VALID_UNIT)
    os.utime(unit, (OLD, OLD))
    return tmp_path / "campaign"


def _same(cli: Callable[..., Result], args: tuple[str, ...]) -> None:
    afresh = cli(*args, "--no-cache")
    cached = cli(*args)
    assert (cached.code, cached.out) == (afresh.code, afresh.out), cached.err
    assert "Traceback" not in cached.err


# --- 17: nothing in the cache can run code -------------------------------------------


class _Bomb:
    """Unpickling this runs a command: what a committed or planted pickle would do."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return os.system, (f"touch {self.marker}",)


def test_a_planted_pickle_runs_no_code(cli, small: Path, tmp_path: Path) -> None:
    args = ("status", str(small), "--format", "json")
    assert cli(*args).code == 0
    marker = tmp_path / "pwned"
    bomb = pickle.dumps({"fingerprint": "x", "entries": _Bomb(marker)})
    stored = stored_index()
    stored.write_bytes(bomb)
    _same(cli, args)
    assert not marker.exists()


def test_the_store_holds_no_pickles(cli, small: Path) -> None:
    """Every value in the store is a number, text, nothing, or a checksum: none can run code."""
    assert cli("status", str(small)).code == 0
    conn = sqlite3.connect(stored_index())
    try:
        tables = [name for (name,) in conn.execute("SELECT name FROM sqlite_master")]
        tables = [t for t in tables if not t.startswith("sqlite_")]
        values = [v for t in tables for row in conn.execute(f"SELECT * FROM {t}") for v in row]
        checks = conn.execute(
            "SELECT digest, unit_digest, occurrence_digest, listing_digest FROM files"
        )
        digests = [v for row in checks for v in row]
        (tasks,) = conn.execute("SELECT count(*) FROM tasks").fetchone()
    finally:
        conn.close()
    assert {"files", "problems", "units", "tasks", "occurrences"} <= set(tables)
    assert "erqi-test" in values
    assert "理论学习中心组专题学习" in values  # a task title, as a column
    blobs = [v for v in values if isinstance(v, bytes)]
    assert sorted(blobs) == sorted(d for d in digests if d is not None)
    # The checks of the file, its unit, its occurrences, and its unit and task rows.
    assert tasks > 0
    assert len(blobs) == 4
    assert all(len(blob) == 16 for blob in blobs)
    assert all(isinstance(v, (int, str, bytes)) or v is None for v in values)


def test_a_pickle_planted_in_a_column_runs_no_code(cli, small: Path, tmp_path: Path) -> None:
    args = ("status", str(small), "--all", "--format", "json")
    assert cli(*args).code == 0
    marker = tmp_path / "pwned"
    bomb = pickle.dumps(_Bomb(marker))
    tamper_index("UPDATE tasks SET title = ?", bomb)
    tamper_index("UPDATE units SET name = ?", bomb)
    _same(cli, args)
    assert not marker.exists()


def test_a_planted_trigger_makes_the_store_rebuilt(cli, small: Path) -> None:
    """Triggers and views run SQL when rows are written or read: a store with any is not ours."""
    args = ("status", str(small), "--all", "--format", "json")
    assert cli(*args).code == 0
    tamper_index(
        "CREATE TRIGGER planted AFTER INSERT ON tasks BEGIN UPDATE tasks SET title = 'x'; END"
    )
    _same(cli, args)
    conn = sqlite3.connect(stored_index())
    try:
        assert (
            conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall() == []
        )
    finally:
        conn.close()


def _forge_title(title: str) -> None:
    """Change a task's title and fix its checksum, as a store written by other code might."""
    from checklist.load import rows

    conn = sqlite3.connect(stored_index())
    try:
        conn.execute("UPDATE tasks SET title = ? WHERE seq = 1", (title,))
        ((file_id,),) = conn.execute("SELECT id FROM files").fetchall()
        head = conn.execute(f"SELECT {rows.UNIT_COLUMNS} FROM units").fetchone()
        tasks = conn.execute(f"SELECT {rows.TASK_COLUMNS} FROM tasks ORDER BY seq").fetchall()
        digest = rows.digest((head, tasks))
        conn.execute("UPDATE files SET unit_digest = ? WHERE id = ?", (digest, file_id))
        listing = rows.listing_digest(conn, file_id)  # and the rows' a listing reads
        conn.execute("UPDATE files SET listing_digest = ? WHERE id = ?", (listing, file_id))
        conn.commit()
    finally:
        conn.close()


def test_a_store_of_other_code_or_another_schema_version_is_rebuilt(cli, small: Path) -> None:
    args = ("status", str(small), "--all", "--format", "json")
    afresh = cli(*args, "--no-cache")
    assert cli(*args).out == afresh.out
    _forge_title("forged")
    assert '"forged"' in cli(*args).out  # a forged row with a good checksum is served...
    tamper_index("UPDATE meta SET value = 'other code'")
    assert cli(*args).out == afresh.out  # ...unless the fingerprint is not this code's
    _forge_title("forged")
    tamper_index("PRAGMA user_version = 99")
    assert cli(*args).out == afresh.out
    assert cli(*args).out == afresh.out


def test_the_store_gives_back_every_result_the_checks_make(tmp_path: Path) -> None:
    """Problems, units, tasks and people, every field: rebuilt from rows, equal to as checked."""
    import datetime as dt

    from checklist.load.campaign import load_campaign
    from checklist.load.discover import discover
    from checklist.load.store import Store
    from checklist.load.validate import check_file
    from conftest import REPO

    root = tmp_path / "zhengzhou"
    shutil.copytree(REPO / "examples" / "zhengzhou", root)
    shutil.copytree(REPO / "examples" / "invalid", root / "invalid")
    for path in tmp_path.rglob("*.toml"):
        os.utime(path, (OLD, OLD))
    campaign = load_campaign(root / "campaign.toml")
    files = discover([root], campaign)
    today = dt.date(2023, 11, 20)
    checked = {
        str(p): check_file(p, campaign=campaign, today=today, follow_outside=True) for p in files
    }
    assert sum(r.unit is not None for r in checked.values()) > 50
    assert sum(bool(r.problems) for r in checked.values()) > 20
    assert any(t.repeat and t.done for r in checked.values() if r.unit for t in r.unit.tasks)
    store = Store.open(campaign)
    for path in files:
        store.put(str(path), path.stat(), checked[str(path)])
    store.close()
    stamps = {str(p): cache.stamp(p.stat()) for p in files}
    assert Store.open(campaign).load(stamps, units=True) == checked
    # Validation reads problems alone: every file back, none with its unit.
    assert Store.open(campaign).load(stamps, units=False) == {
        p: replace(r, unit=None) for p, r in checked.items()
    }


def _refused(cli, small: Path, warning: str) -> None:
    """The command works as with --no-cache, says why in one line, and writes no cache."""
    args = ("status", str(small), "--format", "json")
    afresh = cli(*args, "--no-cache")
    result = cli(*args)
    assert (result.code, result.out) == (afresh.code, afresh.out)
    (line,) = [x for x in result.err.splitlines() if "cache" in x]
    assert line.startswith("checklist: warning: not using the cache: ")
    assert warning in line


def test_a_relative_cache_folder_is_refused(
    cli, small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(small)
    monkeypatch.setenv("CHECKLIST_CACHE_DIR", ".cache")
    _refused(cli, small, "relative path")
    assert not (small / ".cache").exists()


@pytest.mark.parametrize("where", ["campaign", "campaign/units/.cache", "repository"])
def test_a_cache_inside_the_campaign_or_its_repository_is_refused(
    cli, small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    (tmp_path / ".git").mkdir()  # tmp_path holds the campaign: a clone
    home = tmp_path if where == "repository" else tmp_path / where
    monkeypatch.delenv("CHECKLIST_CACHE_DIR")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(home))
    _refused(cli, small, "the git repository" if where == "repository" else "campaign's folder")
    assert not (home / ".cache").exists()


def test_a_cache_folder_others_can_write_is_refused(cli, small: Path) -> None:
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    root.chmod(0o777)
    _refused(cli, small, "can be written by other users")


def test_a_cache_file_others_can_write_is_refused(cli, small: Path) -> None:
    assert cli("status", str(small)).code == 0
    stored_index().chmod(0o666)
    _refused(cli, small, "can be written by other users")


def test_a_cache_of_another_user_is_refused(
    cli, small: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("status", str(small)).code == 0
    monkeypatch.setattr(os, "getuid", lambda: cache_root().stat().st_uid + 1)
    _refused(cli, small, "belongs to another user")


def test_a_linked_cache_file_is_refused(cli, small: Path, tmp_path: Path) -> None:
    assert cli("status", str(small)).code == 0
    stored = stored_index()
    elsewhere = tmp_path / "elsewhere.pickle"
    stored.rename(elsewhere)
    stored.symlink_to(elsewhere)
    _refused(cli, small, "is a symbolic link")


def test_the_cache_is_private(cli, small: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHECKLIST_CACHE_DIR", str(cache_root() / "new"))
    old = os.umask(0o002)
    try:
        assert cli("status", str(small)).code == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(cache_root().stat().st_mode) == 0o700
    assert stat.S_IMODE(stored_index().stat().st_mode) == 0o600
    assert cli("status", str(small)).err == ""  # and the next run trusts it


# --- 18: a damaged cache is a miss; every edit is noticed -----------------------------


def _corruptions(data: bytes) -> st.SearchStrategy[bytes]:
    size = len(data)

    def flip(at: int, bit: int) -> bytes:
        return data[:at] + bytes([data[at] ^ (1 << bit)]) + data[at + 1 :]

    return st.one_of(
        st.builds(flip, st.integers(0, size - 1), st.integers(0, 7)),
        st.builds(lambda n: data[:n], st.integers(0, size - 1)),
        st.builds(
            lambda a, n: data[:a] + bytes(n) + data[a + n :],
            st.integers(0, size),
            st.integers(1, 64),
        ),
        st.builds(bytes, st.integers(0, size)),
        st.binary(max_size=size),
        st.builds(lambda seed: random.Random(seed).randbytes(size), st.integers()),
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_a_damaged_cache_gives_what_no_cache_gives(
    cli, small: Path, command: tuple[str, ...]
) -> None:
    args = (*command, str(small))
    afresh = cli(*args, "--no-cache")
    assert cli(*args).out == afresh.out
    stored = stored_index()
    good = stored.read_bytes()

    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(damaged=_corruptions(good))
    def check(damaged: bytes) -> None:
        stored.write_bytes(damaged)
        result = cli(*args)
        assert (result.code, result.out) == (afresh.code, afresh.out), result.err
        assert "Traceback" not in result.err

    check()


def test_a_flipped_byte_anywhere_is_a_miss_or_the_truth(cli, small: Path) -> None:
    """One flip each, in the header and all over the file: the true result, or nothing.

    A flip in a value, a stamp, a checksum or a page header is a miss (or the whole store
    is rebuilt); one in unused space changes nothing. Never a different result. (Every
    position of the 28 kB file passes too, in four minutes: a sample keeps the suite quick.)
    """
    from checklist.load.campaign import load_campaign
    from checklist.load.store import Store

    assert cli("status", str(small)).code == 0
    stored = stored_index()
    good = stored.read_bytes()
    campaign = load_campaign(small / "campaign.toml")
    unit = next(small.rglob("erqi-test.toml"))
    wanted = {str(unit): cache.stamp(unit.stat())}
    truth = Store.open(campaign).load(wanted, units=True)
    assert truth[str(unit)].unit is not None
    rng = random.Random(9)
    misses = 0
    for at in [*range(100), *rng.sample(range(100, len(good)), 700)]:
        damaged = good[:at] + bytes([good[at] ^ rng.randrange(1, 256)]) + good[at + 1 :]
        stored.write_bytes(damaged)
        store = Store.open(campaign)
        found = store.load(wanted, units=True)
        store.close()
        assert found in ({}, truth), at
        misses += not found
    assert misses > 40  # the flips that hit the header or the file's rows (80 of 800)
    stored.write_bytes(good)
    assert Store.open(campaign).load(wanted, units=True) == truth


def _edit_keeping_size_and_mtime(path: Path) -> None:
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    edited = text.replace("done = 2023-09-28", "done = 2023-09-27")
    assert edited != text
    assert len(edited.encode()) == before.st_size
    path.write_text(edited, encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # cp -p, touch -r


def test_a_same_size_edit_with_the_mtime_put_back_is_noticed(cli, small: Path) -> None:
    args = ("status", "--all", "--format", "json", str(small))
    assert '"done": "2023-09-28"' in cli(*args).out
    _edit_keeping_size_and_mtime(next(small.rglob("erqi-test.toml")))
    result = cli(*args)
    assert '"done": "2023-09-27"' in result.out
    assert result.out == cli(*args, "--no-cache").out


def test_a_copy_with_cp_p_is_noticed(cli, small: Path, tmp_path: Path) -> None:
    args = ("status", "--all", "--format", "json", str(small))
    unit = next(small.rglob("erqi-test.toml"))
    assert cli(*args).code == 0
    other = tmp_path / "other.toml"
    other.write_text(unit.read_text(encoding="utf-8").replace("09-28", "09-27"), encoding="utf-8")
    os.utime(other, (OLD, OLD))
    shutil.copy2(other, unit)  # cp -p: same size, same mtime, same inode
    assert cli(*args).out == cli(*args, "--no-cache").out


def test_a_chmod_is_noticed(cli, small: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    args = ("status", "--format", "json", str(small))
    assert cli(*args).code == 0
    unit = next(small.rglob("erqi-test.toml"))
    unit.chmod(0o600)
    checked = []
    from checklist.load import validate

    real = validate.check_file
    monkeypatch.setattr(validate, "check_file", lambda *a, **k: checked.append(a) or real(*a, **k))
    assert cli(*args).code == 0
    assert checked


def test_the_cache_forgets_deleted_files(cli, small: Path) -> None:
    from checklist.load.campaign import load_campaign
    from checklist.load.store import Store

    gone = small / "units" / "410103" / "gone.toml"
    gone.write_text(VALID_UNIT.replace("erqi-test", "erqi-gone"), encoding="utf-8")
    os.utime(gone, (OLD, OLD))
    assert cli("validate", str(small)).code == 0
    campaign = load_campaign(small / "campaign.toml")
    assert str(gone) in Store.open(campaign).paths()
    # A run over part of the campaign keeps what it did not look at, while it exists.
    assert cli("validate", str(small / "units" / "410103" / "erqi-test.toml")).code == 0
    assert str(gone) in Store.open(campaign).paths()
    gone.unlink()
    # The same validation again recalls the last one (load/recall.py) and reads no other
    # row; the next run that matches files against the store drops the file that is gone.
    assert cli("validate", str(small / "units" / "410103" / "erqi-test.toml")).code == 0
    assert cli("status", str(small)).code == 0
    assert str(gone) not in Store.open(campaign).paths()


def test_a_folder_where_the_cache_file_goes_is_a_miss(cli, small: Path) -> None:
    assert cli("status", str(small)).code == 0
    stored = stored_index()
    stored.unlink()
    stored.mkdir()
    _same(cli, ("status", str(small), "--format", "json"))


def test_no_home_folder_means_no_cache(cli, small: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CHECKLIST_CACHE_DIR")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.delenv("HOME", raising=False)

    def homeless(cls: type[Path]) -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", classmethod(homeless))
    _refused(cli, small, "no home folder")
