"""Reports read from the index's occurrence table, when every file is in it: opening it.

A warm run (every unit file unchanged since the index was written, its result still
true today, no unit id used twice) needs neither its units nor their occurrences in
Python: the counts are SQL aggregates over the occurrence table (indexed_rollup.py),
with the filters as WHERE clauses (here), and only the rows a report lists are made
into entries or items (indexed_status.py). Anything else (a file to check, a store that fails) is
None, and the caller takes the units' path.

Integrity: each file's own row and problems are checked against their checksum, as
validation does (that decides which files count and which are skipped), and its
occurrence rows, unit row and task rows against theirs (_damaged), unless the seal
vouches for every row (load/seal.py): then none is checked again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from checklist.dates import shift
from checklist.filters import Filters, filters_of
from checklist.load import recall, seal
from checklist.load.cache import stamp_all
from checklist.load.rows import (
    BUILT,
    LISTING_TEXT,
    OCCURRENCE_TEXT,
    RESULT,
    STATE_SQL,
    Row,
    result_of,
    text_digest,
)
from checklist.load.store import Store
from checklist.model import Campaign, State
from checklist.rules.registry import day_dependent_codes


@dataclass(frozen=True, slots=True)
class Index:
    """The files of a warm run in the store: their units are counted in SQL."""

    store: Store
    conn: sqlite3.Connection
    skipped: int  # files with errors: no unit
    built: int  # files with a unit
    whole: bool = False  # the run's files are every file the index holds
    # What is known true: nothing but the rows, or the tally too (indexed_tally.py); and
    # the stamps that seal it, None when this run wrote (or could not stamp) the store.
    vouched: frozenset[str] = frozenset({"rows"})
    stamps: seal.Stamps | None = None
    # What this run found true or not (the tally, when no seal vouched for it), and the
    # writes it found to make (the tally counted again), made once it has read.
    found: dict[str, bool] = field(default_factory=dict)
    after: list[Callable[[], None]] = field(default_factory=list)

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *_: object) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.conn.execute("ROLLBACK")  # the snapshot ends: the writes left to the end
        for write in self.after:
            write()
        self.store.close()


def open_index(
    store: Store,
    files: Sequence[str],
    *,
    today: dt.date,
    stale: list[str] | None = None,
    again: bool = True,
) -> Index | None:
    """The index for these files (absolute paths) if every one is in it and still true.

    Memory is bounded by the files' names and stamps: each file's rows are checked and
    dropped one at a time, what the reports need going straight into temporary tables.
    When the only miss is files the index does not hold as they are now (edited, new,
    their rows damaged), they go into ``stale``: checked and kept, they let it answer.

    The report reads one snapshot of the index, held until the Index is closed: another
    run writing meanwhile (a file's rows replaced: its files row, then its unit's) is
    never half seen.
    """
    conn = store.conn
    if conn is None:
        return None
    try:
        conn.execute("BEGIN")
        found = _opened(store, conn, files, today=today, stale=stale)
    except sqlite3.Error:
        found = None
    if isinstance(found, Index):
        return found
    with contextlib.suppress(sqlite3.Error):
        conn.execute("ROLLBACK")
    if found is None:
        return None
    dropped, damaged = found
    store.forget(dropped)  # damaged ones: checked afresh by the units' path, written again
    if damaged or not again:
        return None
    return open_index(store, files, today=today, stale=stale, again=False)


def _opened(
    store: Store,
    conn: sqlite3.Connection,
    files: Sequence[str],
    *,
    today: dt.date,
    stale: list[str] | None,
) -> Index | tuple[list[int], bool] | None:
    """open_index within its snapshot; or the rows to drop (stored files gone, and rows
    damaged: whether any are) before asking again."""
    # Taken before a row is read: a write meanwhile changes them, and the seal with them.
    stamps = seal.stamps_of(store.path)
    sealed = seal.holds(store.path, stamps)
    found = stamp_all(files)
    if not all(found):
        return None
    stamped = [s for s in found if s is not None]
    key, day = recall.key_of(files, stamped), today.isoformat()
    if sealed and stamps is not None:
        index = _recalled(store, conn, sealed, stamps, key=key, day=day)
        if index is not None:
            return index
    wanted = {name: (s, pos) for pos, (name, s) in enumerate(zip(files, stamped, strict=True))}
    codes = day_dependent_codes()
    counted = [0, 0]  # files matched, and with their unit
    hit = bytearray(len(files))  # which of the files matched
    gone: list[int] = []  # stored files deleted or renamed away
    latest = [""]  # the latest done date of the files: the run holds from that day on

    def accepted() -> Iterator[tuple[int, int, str | None, str | None, str | None, int]]:
        for pos, file_id, row, problems, _ in store.matching(wanted, gone, checked=not sealed):
            built = bool(row[BUILT])
            since = _true_since(row, problems, built=built, codes=codes)
            if since > day:
                raise _MissError
            latest[0] = max(latest[0], since)
            counted[0] += 1
            counted[1] += built
            hit[pos] = 1
            county, level = row[BUILT + 1 : BUILT + 3]
            yield file_id, pos, row[_UNIT_ID], county, level, built

    try:
        conn.execute("DROP TABLE IF EXISTS temp.seen")
        conn.execute("DROP TABLE IF EXISTS temp.run")
        # Every matched file with its unit id (the check across files), and the run: the
        # files with a unit, in the order found, with their unit, county and level from
        # the files' own rows, whose checksums were just checked.
        conn.execute(
            "CREATE TEMP TABLE seen (file INTEGER PRIMARY KEY, pos, unit, county, level, built)"
        )
        # Within the snapshot's transaction: not a transaction (and a journal) per row.
        conn.executemany("INSERT INTO temp.seen VALUES (?, ?, ?, ?, ?, ?)", accepted())
        if counted[0] != len(wanted):
            if stale is not None:
                stale.extend(name for name, found in zip(files, hit, strict=True) if not found)
            return None
        # The only check across files (tests/test_reports_from_index.py holds it to that):
        # a unit id used twice is for the units' path to report.
        if conn.execute(_TWICE).fetchone() is not None:
            return None
        conn.execute(
            "CREATE TEMP TABLE run AS SELECT file, row_number() OVER (ORDER BY pos) - 1 AS pos, "
            "unit, county, level FROM temp.seen WHERE built ORDER BY file"
        )
        conn.execute("CREATE UNIQUE INDEX temp.run_file ON run (file)")
        conn.execute("DROP TABLE temp.seen")
        damaged = [] if sealed else _damaged(conn)
        every_row = conn.execute("SELECT count(*) FROM files").fetchone() == (counted[0],)
    except _MissError:
        return None
    if gone or damaged:
        return [*gone, *damaged], bool(damaged)
    if not sealed and every_row and stamps is not None:
        seal.put(store.path, stamps)  # every row was checked and found true
        sealed = frozenset({"rows"})
    if sealed and stamps is not None:  # the next run of these files recalls this one
        built = tuple(i for (i,) in conn.execute("SELECT file FROM temp.run ORDER BY pos"))
        memo = recall.Memo(key, latest[0], built, counted[0] - counted[1], every_row)
        recall.keep(store.path, stamps, memo)
    return Index(
        store,
        conn,
        counted[0] - counted[1],
        counted[1],
        whole=every_row,
        vouched=sealed or frozenset({"rows"}),
        stamps=stamps if sealed else None,
    )


# Where a files row (store.matching's, from its path on) keeps these.
_UNIT_ID, _LAST_DONE = BUILT - 3, BUILT - 1


def _true_since(row: Row, problems: list[Row], *, built: bool, codes: Container[str]) -> str:
    """From which day a file's stored rows answer for it, as validate's stored results do:
    its latest done date as ISO text ("" for none: any day); _MissError if on no day."""
    if problems or not built:
        result = result_of(row[RESULT], problems)
        if result is None or any(p.code in codes for p in result.problems):
            raise _MissError
        if not built and not result.has_errors:
            raise _MissError  # checked for validation alone
        last_done = result.last_done
    else:  # most files: no result to make, no problem to read
        try:
            last_done = None if row[_LAST_DONE] is None else dt.date.fromisoformat(row[_LAST_DONE])
        except (ValueError, TypeError):
            raise _MissError from None
    # As validate: done "in the future" may come or go.
    return "" if last_done is None else last_done.isoformat()


def _recalled(
    store: Store,
    conn: sqlite3.Connection,
    sealed: frozenset[str],
    stamps: seal.Stamps,
    *,
    key: str,
    day: str,
) -> Index | None:
    """The Index of the run the memo recalls (load/recall.py), if it is this run and holds
    on this day: its table made from the files' own rows, which the seal vouches for."""
    memo = recall.recall(store.path, stamps)
    if memo is None or memo.key != key or memo.since > day:
        return None
    conn.execute("DROP TABLE IF EXISTS temp.seen")
    conn.execute("DROP TABLE IF EXISTS temp.run")
    conn.execute(_RECALLED, (json.dumps(memo.built),))
    if conn.execute("SELECT count(*) FROM temp.run").fetchone() != (len(memo.built),):
        return None
    conn.execute("CREATE UNIQUE INDEX temp.run_file ON run (file)")
    built = len(memo.built)
    return Index(store, conn, memo.skipped, built, whole=memo.whole, vouched=sealed, stamps=stamps)


# The run's table as _opened makes it, from the memo's files in the run's order.
_RECALLED = """CREATE TEMP TABLE run AS SELECT f.id AS file, j.key AS pos, f.unit_id AS unit,
    f.county, f.level FROM json_each(?) j JOIN files f ON f.id = j.value ORDER BY f.id"""


class _MissError(Exception):
    """A file the index cannot answer for: the units' path runs."""


_TWICE = "SELECT unit FROM temp.seen WHERE unit IS NOT NULL GROUP BY unit HAVING count(*) > 1"


def _damaged(conn: sqlite3.Connection) -> list[int]:
    """The run's files whose occurrence rows, or unit and task rows, fail their checksum.

    SQL writes each file's rows as one text (OCCURRENCE_TEXT, LISTING_TEXT), as when they
    were written; Python hashes 10,000 texts, not 300,000 rows, one at a time.
    """
    # The table is scanned in its own order (file, seq, n), so the rows are grouped as they
    # come, in the order they were written: nothing is sorted or held (a province's
    # occurrences sorted in memory took 130 MB a hundred thousand files).
    sql = f"""SELECT o.file, {OCCURRENCE_TEXT} FROM occurrences o
        WHERE o.file IN (SELECT file FROM temp.run) GROUP BY o.file"""
    found = conn.execute(sql)
    text = next(found, None)
    damaged = []
    listed = LISTING_TEXT.format("+f.id")  # no affinity: the tables' keys are searched
    for file_id, check, listing, listing_check in conn.execute(
        f"SELECT f.id, f.occurrence_digest, {listed}, f.listing_digest FROM temp.run r "
        "JOIN files f ON f.id = r.file ORDER BY f.id"
    ):
        while text is not None and text[0] < file_id:
            text = next(found, None)
        own = text[1] if text is not None and text[0] == file_id else None
        if text_digest(own) != check or text_digest(listing) != listing_check:
            damaged.append(file_id)
    return damaged


def make_filters(index: Index, campaign: Campaign, given: Mapping[str, Any]) -> Filters:
    """make_filters over the index's units, in the order the files were found."""
    conn = index.conn
    ids: list[str] = []
    if given.get("unit"):
        ids = [i for (i,) in conn.execute(_ORDERED.format("u.id", "units u", "u.file", "r.pos"))]
    people: Iterator[tuple[str, str | None]] = iter(())
    if given.get("owner"):
        sql = _ORDERED.format("t.owner_name, t.owner_address", "tasks t", "t.file", "r.pos, t.seq")
        people = iter(conn.execute(sql).fetchall())
    return filters_of(campaign, ids, people, **{k: v or () for k, v in given.items()})


_ORDERED = "SELECT {0} FROM {1} JOIN temp.run r ON r.file = {2} ORDER BY {3}"


def where_of(filters: Filters, *, states: bool = False) -> tuple[str, dict[str, Any]]:
    """The filters as a WHERE clause over occurrences ``o``, and its parameters."""
    clauses: list[str] = ["1"]
    params: dict[str, Any] = {}
    for column, name, values in (
        ("r.county", "county", filters.counties),
        ("r.unit", "unit", filters.units),
        ("r.level", "level", [v.value for v in filters.levels]),
        ("o.measure", "measure", filters.measures),
    ):
        if values:
            clauses.append(among(column, name, values, params))
    if filters.owners:
        names = among("o.owner", "owner", filters.owners, params)
        addresses = among("coalesce(t.owner_address, '')", "address", filters.owners, params)
        clauses.append(
            f"({names} OR EXISTS (SELECT 1 FROM tasks t WHERE t.file = o.file "
            f"AND t.seq = o.seq AND {addresses}))"
        )
    if states and filters.states:
        values = [s.value for s in filters.states]
        clauses.append(among(f"({STATE_SQL})", "state", values, params))
    return " AND ".join(clauses), params


def among(column: str, name: str, values: Iterable[str], params: dict[str, Any]) -> str:
    """``column IN (:name0, :name1, …)``, the values (sorted) added to ``params``."""
    names = []
    for k, value in enumerate(sorted(values)):
        params[f"{name}{k}"] = value
        names.append(f":{name}{k}")
    return f"{column} IN ({', '.join(names)})"


# What every overdue or due-soon occurrence is (and so the state need not be worked out
# for the others): due by the horizon, not done by the report day. It reads the row alone,
# so SQLite tests it before looking up the file's row in temp.run.
UNDONE = "(o.due <= :horizon AND (o.done IS NULL OR o.done > :as_of))"


STATES = {s.value: s for s in State}  # State(text) is slow, 170,000 times


def days_of(as_of: dt.date, soon: int) -> dict[str, str]:
    return {"as_of": as_of.isoformat(), "horizon": shift(as_of, soon).isoformat()}
