"""The last run the index answered, kept beside the seal: which files, found true till when.

A warm report stats every file (any may have changed), then matched each against its
stored row, judged it still true and wrote the run's table: 50 ms of a 300 ms `status`
at 10,000 units. While the store has the stamps of the seal that vouched for those rows
(load/seal.py) and the run's files have the very paths and stamps they had, the rows
are the ones that run judged, and so is the judgement: the run's table is made from
the memo in one statement. The memo is trusted no further than the seal: a memo of
other stamps, or one that does not parse as written, recalls nothing.

Validation keeps a memo of its own (CHECKED): a run that read every file's row and
problems from the store, checked against their checksums (or sealed), and wrote nothing,
is recalled by the next run of the same files while the store keeps its stamps: the
files with problems are read by row id, and no result is made for the clean ones (a
warm `validate` matched and made 10,000 of them: a third of its time).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from checklist.load.cache import Stamp
from checklist.load.result import UnitResult
from checklist.load.rows import PROBLEM_COLUMNS, Row, digest, result_of
from checklist.load.seal import Stamps, stamps_of, write_private

if TYPE_CHECKING:
    from checklist.load.store import Store


@dataclass(frozen=True, slots=True)
class Memo:
    """A run the index answered: its files (by path and stamp), true from ``since`` on."""

    key: str  # the run's paths and stamps, in its order (key_of)
    since: str  # the latest done date of its files ("" for none): true from that day
    # The row ids it answers from, in its order: a report's files with a unit (RUN), or
    # validation's files with problems (CHECKED).
    built: tuple[int, ...]
    skipped: int  # its files with errors, no unit (RUN; validation's memo keeps 0)
    whole: bool  # its files are every file the index holds (RUN; validation's keeps False)


RUN, CHECKED = "run", "checked"  # the reports' memo, validation's


def memo_path(store: Path, kind: str = RUN) -> Path:
    return store.with_name(f"{store.name}-{kind}")


def key_of(files: Sequence[str], stamps: Sequence[Stamp]) -> str:
    return digest((tuple(files), tuple(stamps))).hex()


def recall(store: Path, stamps: Stamps, kind: str = RUN) -> Memo | None:
    """The memo kept with these very store stamps, or None."""
    try:
        with memo_path(store, kind).open("rb") as file:
            kept = json.loads(file.read())
        if kept["stamps"] != [list(s) for s in stamps]:
            return None
        memo = Memo(
            kept["key"], kept["since"], tuple(kept["built"]), kept["skipped"], kept["whole"]
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
    fields = (memo.key, memo.since, memo.skipped, memo.whole)
    if tuple(map(type, fields)) != (str, str, int, bool):
        return None
    if not all(type(i) is int for i in memo.built):
        return None
    return memo


def keep(store: Path, stamps: Stamps, memo: Memo, kind: str = RUN) -> None:
    """Keep the memo for the store at ``stamps``; best effort."""
    document = {
        "stamps": stamps,
        "key": memo.key,
        "since": memo.since,
        "built": memo.built,
        "skipped": memo.skipped,
        "whole": memo.whole,
    }
    write_private(memo_path(store, kind), json.dumps(document, separators=(",", ":")))


# The results validation's memo names (its files with problems), by row id, in its order
# as SQLite reads them (json_each first), which each row's id confirms; and their problems.
_ROWS = (
    "SELECT f.display, f.unit_id, f.unit_id_path, f.last_done, f.id "
    "FROM json_each(?) j JOIN files f ON f.id = j.value"
)
_PROBLEMS = (
    f"SELECT {PROBLEM_COLUMNS} FROM problems "
    "WHERE file IN (SELECT value FROM json_each(?)) ORDER BY file, seq"
)


def checked(
    store: Store, files: Sequence[str], stamped: Sequence[Stamp], *, today: dt.date
) -> list[UnitResult] | None:
    """The results with problems among these files (absolute paths, stamped as they are
    now), in their order, as the last validation of the very same files left them in the
    store; or None: the store has moved on, or the memo is of other files or not true
    today. The other files are as they were then: clean."""
    conn = store.conn
    stamps = stamps_of(store.path)
    if conn is None or stamps is None:
        return None
    memo = recall(store.path, stamps, CHECKED)
    if memo is None or memo.since > today.isoformat() or memo.key != key_of(files, stamped):
        return None
    ids = json.dumps(memo.built)
    try:
        problems: dict[int, list[Row]] = {}
        for problem in conn.execute(_PROBLEMS, (ids,)):
            problems.setdefault(problem[0], []).append(problem)
        results = []
        for row, file_id in zip(conn.execute(_ROWS, (ids,)), memo.built, strict=False):
            result = result_of(row[:4], problems.get(file_id, []))
            if result is None or row[4] != file_id or not result.problems:
                return None
            results.append(result)
    except sqlite3.Error:
        return None
    if len(results) != len(memo.built) or stamps_of(store.path) != stamps:
        return None  # another run wrote while these were read
    return results


def keep_checked(
    store: Store,
    files: Sequence[str],
    stamped: Sequence[Stamp],
    results: Sequence[UnitResult],
    *,
    before: Stamps | None,
) -> None:
    """Remember a validation that read each file's result (``results``, in order) from the
    store, which had the stamps ``before`` as it began and still has them (nothing written
    since, by this run or another): the next validation of the same files recalls it."""
    conn = store.conn
    if conn is None or before is None or stamps_of(store.path) != before:
        return
    flagged = [name for name, result in zip(files, results, strict=True) if result.problems]
    try:
        ids_of = dict(conn.execute("SELECT path, id FROM files")) if flagged else {}
    except sqlite3.Error:
        return
    ids = tuple(ids_of.get(name, -1) for name in flagged)
    if -1 in ids:
        return
    done = [r.last_done for r in results if r.last_done is not None]
    since = max(done).isoformat() if done else ""
    memo = Memo(key_of(files, stamped), since, ids, skipped=0, whole=False)
    keep(store.path, before, memo, CHECKED)
