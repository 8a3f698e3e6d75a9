"""Per-file results kept between runs in an SQLite index, so a run re-checks only what changed.

A file's rows are keyed by its path and stamped with its size, modification and change
times, inode and mode; the whole store by a fingerprint of the tool's own source (so
results built by other code, with another schema or rule set, are never served), the
campaign's config, and the working folder (problems name files relative to it).

The store is untrusted and disposable (load/cache.py says where it may live). It holds
plain columns, never pickles, so nothing in it can run code when read; each file's rows
carry a checksum, so damage is a miss, never a wrong result; a store of other code,
another schema, or one SQLite cannot read is thrown away and built again from the files.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

from checklist import __version__
from checklist.load import seal
from checklist.load.cache import (
    Stamp,
    cache_root,
    source_digest,
    stamp,
    trusted_root,
    usable,
)
from checklist.load.recall import CHECKED, memo_path
from checklist.load.result import UnitResult
from checklist.load.rows import (
    BUILT,
    FILE_COLUMNS,
    PROBLEM_COLUMNS,
    RESULT,
    SCHEMA,
    Row,
    delete_rows,
    digest,
    result_of,
    unit_of,
    unit_rows_of,
    write_rows,
)
from checklist.load.seal import holds, seal_path, stamps_of
from checklist.load.tally import Counts
from checklist.model import Campaign

# Names the tables; the fingerprint covers the source anyway.
SCHEMA_VERSION = 6  # 5: the tally and the spread; 6: the unit and task rows checked per file
# A file changed within this many seconds of being read may change again within the
# same timestamp tick; its rows are not kept (git calls such files "racily clean").
RACY_SECONDS = 2.0

BUSY_MS = 5000  # how long a write waits for another run's lock, then goes without
# Files written in one transaction at most: bounds what a cold run holds back.
BATCH = 2000

# The package whose source the fingerprint covers: a store is only read by the same code.
PACKAGE = Path(__file__).resolve().parent.parent


T = TypeVar("T")


class _StaleError(Exception):
    """The store was written by other code, for another campaign, or is not ours: rebuild."""


class Store:
    """The SQLite index of one campaign seen from one folder.

    Every failure of SQLite (a damaged file, a full disk, a lock held too long) makes
    the store empty or unwritten for the run: slower, never wrong, never an error.
    """

    def __init__(self, path: Path, fingerprint: str, campaign: Campaign) -> None:
        self.path = path
        self.campaign = campaign  # which expands repeating tasks into occurrences
        self.fingerprint = fingerprint
        self.conn: sqlite3.Connection | None = None
        self.pending: list[tuple[str, Stamp, UnitResult]] = []  # put, not yet written

    @classmethod
    def open(cls, campaign: Campaign) -> Store:
        """The campaign's store, made afresh if it is missing, stale or damaged.

        Raises CacheRefusedError when the folder or the file could have been written by
        someone else: the caller warns and runs without a cache.
        """
        root = trusted_root(cache_root(), campaign)
        key = f"{campaign.root}\0{Path.cwd()}".encode()
        path = root / f"{hashlib.sha256(key).hexdigest()[:20]}.sqlite"
        # Not the day: rows record what makes them depend on it (UnitResult.last_done).
        parts = (
            __version__,
            SCHEMA_VERSION,
            source_digest(PACKAGE),
            sys.version,
            repr(campaign),
            str(Path.cwd()),
        )
        store = cls(path, hashlib.sha256(repr(parts).encode()).hexdigest(), campaign)
        store.connect()
        return store

    def connect(self) -> None:
        """Open the file, or make it; one that is not this code's is removed and made again."""
        if not usable((self.path, *self._companions(), *self._beside())):
            return  # a folder where the file goes, say: no store this run
        for attempt in range(2):
            conn = None
            try:
                self._create_private()
                conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
                _prepare(conn, self.fingerprint)
                self.conn = conn
                return
            except Exception as error:  # damaged beyond what SQLite reports: undecodable text, say
                if conn is not None:
                    conn.close()
                if attempt == 0 and not _busy(error):  # busy: another run's, not damaged
                    self._remove()

    def _companions(self) -> tuple[Path, Path]:
        """SQLite's journal and shared-memory files, made with the store's own mode."""
        name = self.path.name
        return self.path.with_name(name + "-wal"), self.path.with_name(name + "-shm")

    def _beside(self) -> tuple[Path, ...]:
        """Ours beside it: the seal and the last runs' memos (load/seal.py, load/recall.py)."""
        return seal_path(self.path), memo_path(self.path), memo_path(self.path, CHECKED)

    def _create_private(self) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        with contextlib.suppress(FileExistsError):
            os.close(os.open(self.path, flags, 0o600))

    def _remove(self) -> None:
        for path in (self.path, *self._companions(), *self._beside()):
            with contextlib.suppress(OSError):
                path.unlink()

    def load(self, wanted: Mapping[str, Stamp], *, units: bool) -> dict[str, UnitResult]:
        """The stored results of the wanted files whose stamps still match and rows pass
        their checksum: stamps and problems only with ``units=False`` (all validation
        reports), else with units rebuilt from their rows (a file stored without its unit
        a miss). Stored files gone are dropped; a run over part of the campaign keeps the rest.
        """
        if self.conn is None:
            return {}
        try:
            return self._load(self.conn, wanted, units=units)
        except Exception as error:  # sqlite3.Error, or text that is not UTF-8 any more
            if not _busy(error):  # damage found mid-read: thrown away, made afresh
                self.close()
                self._remove()
                with contextlib.suppress(Exception):
                    self.connect()
            return {}

    def matching(
        self, wanted: Mapping[str, tuple[Stamp, T]], gone: list[int], *, checked: bool = True
    ) -> Iterator[tuple[T, int, Row, list[Row], bytes | None]]:
        """One file at a time (a province's rows are never held at once): each wanted file
        whose stamp matches and whose file and problem rows pass their checksum, as what
        ``wanted`` gives with its stamp, its row id, its row, its problem rows and its unit's
        checksum. Stored files that are gone (deleted, renamed away) go into ``gone``.
        ``checked=False``: the store is sealed (load/seal.py), its checksums are not read.

        sqlite3.Error propagates: the caller reads nothing from a store that fails.
        """
        conn = self.conn
        if conn is None:
            return
        width = FILE_COLUMNS.count(",") + 1
        problems = conn.execute(f"SELECT {PROBLEM_COLUMNS} FROM problems ORDER BY file, seq")
        problem = next(problems, None)
        sql = f"SELECT id, {FILE_COLUMNS}, digest, unit_digest FROM files ORDER BY id"
        for row in conn.execute(sql):
            file_id, path = row[0], row[1]
            own = []
            while problem is not None and problem[0] < file_id:
                problem = next(problems, None)
            while problem is not None and problem[0] == file_id:
                own.append(problem)
                problem = next(problems, None)
            want = wanted.get(path)
            if want is None:
                if not os.path.lexists(path):
                    gone.append(file_id)
                continue
            stored = row[1 : width + 1]
            if want[0] == stored[1:6] and (not checked or digest((stored, own)) == row[width + 1]):
                yield want[1], file_id, stored, own, row[width + 2]

    def _load(
        self, conn: sqlite3.Connection, wanted: Mapping[str, Stamp], *, units: bool
    ) -> dict[str, UnitResult]:
        found: dict[str, UnitResult] = {}
        waiting: dict[int, tuple[UnitResult, Any]] = {}  # results whose units are read next
        paths: dict[int, str] = {}
        gone: list[int] = []
        stamped = {path: (saved, path) for path, saved in wanted.items()}
        # A seal a report left (load/seal.py) spares the files' checksums; validation never
        # writes one, since it reads no occurrences.
        sealed = holds(self.path, stamps_of(self.path))
        for path, file_id, row, own, unit_checksum in self.matching(
            stamped, gone, checked=not sealed
        ):
            result = result_of(row[RESULT], own)
            if result is None:
                continue
            paths[file_id] = path
            if units and not row[BUILT] and not result.has_errors:
                continue  # checked for validation alone: a report needs its unit
            if units and row[BUILT]:
                waiting[file_id] = (result, unit_checksum)
            else:
                found[row[0]] = result
        for file_id, parts in unit_rows_of(conn, waiting) if units else ():
            result, unit_checksum = waiting[file_id]
            if digest(parts) != unit_checksum:
                continue
            try:
                unit = unit_of(*parts, file=result.file)
            except (ValueError, TypeError, AttributeError):
                continue
            found[paths[file_id]] = UnitResult(
                result.file,
                unit,
                result.problems,
                result.unit_id,
                result.unit_id_path,
                result.last_done,
            )
        if gone:
            self.forget(gone)
        return found

    def put(self, path: str, status: os.stat_result, result: UnitResult) -> None:
        """Keep one file's result for the next write; a file changed just now is not kept."""
        if self.conn is None or time.time() - status.st_mtime < RACY_SECONDS:
            return
        self.pending.append((path, stamp(status), result))
        if len(self.pending) >= BATCH:
            self.write()

    def write(self) -> None:
        """Write the kept results in one transaction: each file's rows all, or none.

        One edited file is one small transaction; a cold run writes a few large ones
        (one per file wrote every touched page to the journal again: 10,000 files, 9 s).
        """
        pending, self.pending = self.pending, []

        def rows(conn: sqlite3.Connection, counts: Counts) -> None:
            for path, saved, result in pending:
                conn.execute("SAVEPOINT one")
                try:
                    one = Counts()
                    write_rows(conn, path, saved, result, self.campaign, one)
                    counts.merge(one)
                except UnicodeEncodeError:  # a name SQLite cannot hold as text: not kept
                    conn.execute("ROLLBACK TO one")
                conn.execute("RELEASE one")

        if pending:
            self._change(rows)

    def forget(self, file_ids: Iterable[int]) -> None:
        """Drop the rows of these files (found damaged): the next check writes them again."""
        file_ids = set(file_ids)

        def drop(conn: sqlite3.Connection, counts: Counts) -> None:
            for file_id in file_ids:
                delete_rows(conn, file_id, counts)

        self._change(drop)

    def _change(self, change: Callable[[sqlite3.Connection, Counts], None]) -> None:
        """One write transaction, the tally changed with the rows; then the journal folded
        and the seal carried (load/seal.py), unless the rows replaced or dropped were not
        those written: then the seal was wrong, whatever its stamps say."""
        conn = self.conn
        if conn is None:
            return
        try:
            _end_read(conn)
            conn.execute("BEGIN IMMEDIATE")
            carried = seal.held(conn, self.path)
            counts = Counts()
            change(conn, counts)
            spoiled = counts.damaged
            counts.write(conn)
            conn.execute("COMMIT")
        except sqlite3.Error:
            self._give_up()  # a full disk, a lock held too long: the next run is slower
            return
        _fold(conn)
        if not spoiled:
            seal.carry(conn, self.path, carried)

    def _give_up(self) -> None:
        self.pending = []
        if self.conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self.conn.execute("ROLLBACK")
        self.close()

    def paths(self) -> set[str]:
        """Every file the store holds rows for."""
        if self.conn is None:
            return set()
        try:
            return {path for (path,) in self.conn.execute("SELECT path FROM files")}
        except Exception:
            return set()

    def close(self) -> None:
        """Write what is kept and close; the last one out folds the journal into the file."""
        self.write()
        if self.conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self.conn.close()
            self.conn = None


def _fold(conn: sqlite3.Connection) -> None:
    """Fold the journal into the file after a write, as the last one out would on closing:
    the stamps a report takes next (load/seal.py) then stay true after it ends. Not while
    another run reads its snapshot: that would wait for it (busy_timeout)."""
    with contextlib.suppress(sqlite3.Error):
        conn.execute("PRAGMA busy_timeout = 0")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # busy: a row saying so
    with contextlib.suppress(sqlite3.Error):
        conn.execute(f"PRAGMA busy_timeout = {BUSY_MS}")


def _busy(error: Exception) -> bool:  # another run holds the store: removing it loses that
    return getattr(error, "sqlite_errorname", "").startswith(("SQLITE_BUSY", "SQLITE_LOCKED"))


def _end_read(conn: sqlite3.Connection) -> None:
    """End a report's snapshot (indexed.open_index) before writing: a write within it fails."""
    if conn.in_transaction:
        conn.execute("ROLLBACK")


@functools.cache
def _expected_master() -> list[tuple[Any, ...]]:
    """What sqlite_master holds in a store made by this code; anything else is not ours."""
    memory = sqlite3.connect(":memory:")
    try:
        for statement in SCHEMA:
            memory.execute(statement)
        return _master(memory)
    finally:
        memory.close()


def _master(conn: sqlite3.Connection) -> list[tuple[Any, ...]]:
    return conn.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name"
    ).fetchall()


def _prepare(conn: sqlite3.Connection, fingerprint: str) -> None:
    """Make an empty store, or check that an existing one is ours; _StaleError if not."""
    conn.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
    conn.execute("PRAGMA trusted_schema = OFF")
    conn.execute("PRAGMA cell_size_check = ON")
    if conn.execute("PRAGMA journal_mode = WAL").fetchone() != ("wal",):
        raise _StaleError
    # Losing the last transactions in a power cut only makes the next run slower.
    conn.execute("PRAGMA synchronous = NORMAL")
    if not _master(conn):
        conn.execute("BEGIN IMMEDIATE")
        if not _master(conn):  # another run may have made it meanwhile
            for statement in SCHEMA:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("INSERT INTO meta VALUES ('fingerprint', ?)", (fingerprint,))
        conn.execute("COMMIT")
    if _master(conn) != _expected_master():
        raise _StaleError  # another schema, or triggers and views planted in it
    if conn.execute("PRAGMA user_version").fetchone() != (SCHEMA_VERSION,):
        raise _StaleError
    if conn.execute("SELECT value FROM meta").fetchall() != [(fingerprint,)]:
        raise _StaleError
