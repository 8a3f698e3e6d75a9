"""The store's tables, and a checked file's problems, unit and occurrences as their rows.

Numbers, text and dates as ISO text: a row can describe a record but never run code,
and the store can be read with any SQLite tool. Each row starts with its file's id and
its place in the file; the other columns follow the records' fields.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import marshal
import sqlite3
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from typing import Any

from checklist.load.cache import Stamp
from checklist.load.result import UnitResult
from checklist.load.tally import SPREAD_KEY, TALLY_KEY, Counts
from checklist.model import Campaign, Level, Person, Problem, Severity, Task, Unit
from checklist.recur import task_dates

Row = tuple[Any, ...]

PROBLEM_COLUMNS = (
    "file, seq, line, column, severity, code, rule, message, hint, end_line, end_column, "
    "message_zh, hint_zh"
)
UNIT_COLUMNS = "file, id, name, county, level, contact_name, contact_address, note, sector"
# One row per occurrence, as status counts them (a repeating task once per due date), with
# its done date whatever the day: the state on any report day is a comparison of dates.
# Only what reports count and filter by: the unit, county and level are the file's (its
# row), the title and line the task's (a listing reads the task's own row).
OCCURRENCE_COLUMNS = "file, seq, n, measure, owner, due, done, postponed_from"
TASK_COLUMNS = (
    "file, seq, measure, idx, title, owner_name, owner_address, due, done, repeat, until, id, "
    "note, postponed_from, postpone_reason, line, shift"
)


# Columns have no declared type, so SQLite keeps each value as written (an int stays an
# int, text stays text) and a row reads back equal to the tuple written: what the
# checksums compare. Problems and tasks are clustered by file: one range per file.
SCHEMA = (
    "CREATE TABLE meta (key PRIMARY KEY, value) WITHOUT ROWID",
    "CREATE TABLE files (id INTEGER PRIMARY KEY, path UNIQUE NOT NULL, size, mtime_ns, "
    "ctime_ns, inode, mode, display, unit_id, unit_id_path, last_done, built, county, level, "
    "digest, unit_digest, occurrence_digest, listing_digest)",
    f"CREATE TABLE problems ({PROBLEM_COLUMNS}, PRIMARY KEY (file, seq)) WITHOUT ROWID",
    f"CREATE TABLE units ({UNIT_COLUMNS}, PRIMARY KEY (file)) WITHOUT ROWID",
    f"CREATE TABLE tasks ({TASK_COLUMNS}, PRIMARY KEY (file, seq)) WITHOUT ROWID",
    f"CREATE TABLE occurrences ({OCCURRENCE_COLUMNS}, PRIMARY KEY (file, seq, n)) WITHOUT ROWID",
    f"CREATE TABLE tally ({TALLY_KEY}, n, PRIMARY KEY ({TALLY_KEY})) WITHOUT ROWID",
    f"CREATE TABLE spread ({SPREAD_KEY}, units, PRIMARY KEY ({SPREAD_KEY})) WITHOUT ROWID",
    "CREATE TABLE sums (name PRIMARY KEY, value) WITHOUT ROWID",
)
# A state on a report day, as status.classify gives it: ISO dates compare as text, and a
# done date after the day (or none: NULL) has not happened yet.
STATE_SQL = """CASE
    WHEN done <= :as_of THEN CASE WHEN done <= due THEN 'done' ELSE 'done_late' END
    WHEN due < :as_of THEN 'overdue'
    WHEN due <= :horizon THEN 'due_soon'
    ELSE 'open'
END"""
# A file's occurrence rows as one text, made by SQL both when they are written and when a
# report reads them (JSON arrays of their values, in order), handed over as its UTF-8
# bytes: its checksum is checked without a Python object per row, or a decoded string.
OCCURRENCE_TEXT = f"CAST(json_group_array(json_array({OCCURRENCE_COLUMNS})) AS BLOB)"
# A file's unit and task rows as one text, likewise: the rows a listing reads (status's
# entries, remind's items), checked with the occurrences, so that a listing reads them
# as the seal (seal.py) or its run's own check vouches for them. {0}: the file's id, as
# a parameter or an expression of no affinity (+f.id): f.id's would compare each row.
LISTING_TEXT = f"""CAST((SELECT json_array({UNIT_COLUMNS}) FROM units WHERE file = {{0}})
    || (SELECT json_group_array(json_array({TASK_COLUMNS}))
    FROM (SELECT * FROM tasks WHERE file = {{0}} ORDER BY seq)) AS BLOB)"""


def text_digest(text: bytes | None) -> bytes | None:
    """The checksum of a file's rows as OCCURRENCE_TEXT (or LISTING_TEXT) writes them."""
    if text is None:
        return None
    return hashlib.blake2b(text, digest_size=16).digest()


FILE_COLUMNS = (
    "path, size, mtime_ns, ctime_ns, inode, mode, display, unit_id, unit_id_path, last_done, "
    "built, county, level"
)
BUILT = 10  # the index of "built" in a files row; county and level follow
RESULT = slice(6, 10)  # a files row's display, unit id, its key path, last done: a result


def _insert(table: str, columns: str) -> str:
    return f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' * len(columns.split(',')))})"


INSERT_FILE = _insert("files", FILE_COLUMNS)
INSERT_PROBLEM = _insert("problems", PROBLEM_COLUMNS)
INSERT_UNIT = _insert("units", UNIT_COLUMNS)
INSERT_TASK = _insert("tasks", TASK_COLUMNS)
INSERT_OCCURRENCE = _insert("occurrences", OCCURRENCE_COLUMNS)


def digest(rows: Any) -> bytes:
    """The checksum of rows as written, and as read back: equal values, equal bytes."""
    # Marshal's version 0 writes equal values as equal bytes (no sharing, no interning):
    # the bytes are hashed, never loaded.
    return hashlib.blake2b(marshal.dumps(rows, 0), digest_size=16).digest()


def day_text(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def problem_rows(file_id: int, problems: Iterable[Problem]) -> list[Row]:
    return [
        (
            file_id,
            seq,
            p.line,
            p.column,
            p.severity.value,
            p.code,
            p.rule,
            p.message,
            p.hint,
            p.end_line,
            p.end_column,
            p.message_zh,
            p.hint_zh,
        )
        for seq, p in enumerate(problems)
    ]


def problems_of(rows: Iterable[Row], *, file: str) -> tuple[Problem, ...]:
    return tuple(Problem(file, r[2], r[3], Severity(r[4]), *r[5:]) for r in rows)


def unit_rows(file_id: int, unit: Unit) -> tuple[Row, list[Row]]:
    """The unit's own row, and one row per task as written (a repeating task once)."""
    contact = unit.contact
    head = (
        file_id,
        unit.id,
        unit.name,
        unit.county,
        unit.level.value,
        contact.name,
        contact.address,
        unit.note,
        unit.sector,
    )
    return head, [_task_row(file_id, seq, task) for seq, task in enumerate(unit.tasks)]


def _task_row(file_id: int, seq: int, t: Task) -> Row:
    return (
        file_id,
        seq,
        t.measure,
        t.index,
        t.title,
        t.owner.name,
        t.owner.address,
        t.due.isoformat(),
        " ".join(day.isoformat() for day in t.done),
        t.repeat,
        day_text(t.until),
        t.id,
        t.note,
        day_text(t.postponed_from),
        t.postpone_reason,
        t.line,
        t.shift,
    )


def occurrence_rows(file_id: int, unit: Unit, campaign: Campaign) -> list[Row]:
    """Every occurrence of the unit's tasks, as status.items expands them."""
    rows = []
    for seq, task in enumerate(unit.tasks):
        done = task.done
        postponed = day_text(task.postponed_from)
        if task.repeat is None:
            dates: tuple[dt.date, ...] = (task.due,)
        else:
            dates = task_dates(
                task.repeat, due=task.due, until=task.until, campaign=campaign, shift=task.shift
            )
        what = (task.measure, task.owner.name)
        for i, due in enumerate(dates):  # the n-th done date completes the n-th occurrence
            finished = day_text(done[i]) if i < len(done) else None
            rows.append(
                (file_id, seq, i + bool(task.repeat), *what, due.isoformat(), finished, postponed)
            )
    return rows


# Made as pickle makes them, by setting the instance's dict: a frozen dataclass's __init__
# sets each field through object.__setattr__, three times as slow for 140,000 tasks a city.
_new = object.__new__
_set = object.__setattr__
_DATES: dict[str, dt.date] = {}  # a campaign has a few hundred distinct days


def date_of(text: str) -> dt.date:
    """The day of an ISO date text, each distinct text parsed once."""
    day = _DATES.get(text)
    if day is None:
        day = _DATES[text] = dt.date.fromisoformat(text)
    return day


def unit_of(head: Row, tasks: Iterable[Row], *, file: str) -> Unit:
    """The unit build_unit made, from its rows; ValueError or TypeError if they make none.

    With no task rows, the unit of a report that lists a few of its tasks (made with
    ``task_of``): it holds no tasks, so nothing can mistake it for the unit whole.
    """
    _file, unit_id, name, county, level, contact_name, contact_address, note, sector = head
    person = people(unit_id)
    built = tuple(task_of(r, person) for r in tasks)
    contact = person(contact_name, contact_address)
    return Unit(unit_id, name, county, Level(level), contact, built, file, note, sector)


def people(unit_id: str) -> Callable[[str, str | None], Person]:
    """The unit's people: every one belongs to it, one record however often named."""
    known: dict[tuple[str, str | None], Person] = {}

    def person(name: str, address: str | None) -> Person:
        found = known.get((name, address))
        if found is None:
            found = known[name, address] = Person(name, address, unit_id)
        return found

    return person


def task_of(r: Sequence[Any], person: Callable[[str, str | None], Person]) -> Task:
    """A task from its row (TASK_COLUMNS), its owner made by the unit's ``person``."""
    task = _new(Task)
    _set(
        task,
        "__dict__",
        {
            "measure": r[2],
            "index": r[3],
            "title": r[4],
            "owner": person(r[5], r[6]),
            "due": date_of(r[7]),
            "done": tuple(map(date_of, r[8].split())) if r[8] else (),
            "repeat": r[9],
            "until": r[10] and date_of(r[10]),
            "id": r[11],
            "note": r[12],
            "postponed_from": r[13] and date_of(r[13]),
            "postpone_reason": r[14],
            "line": r[15],
            "shift": r[16],
        },
    )
    return task


@functools.lru_cache(maxsize=64)
def _key_path(text: str) -> tuple[str | int, ...]:
    """A unit id's key path from its JSON; a city has two or three different ones."""
    return tuple(json.loads(text))


def result_of(head: Row, problems: list[Row]) -> UnitResult | None:
    """A file's result, without its unit, from its row's RESULT and its problem rows; None
    if they make none (a miss).

    Made as unit_of makes units (10,000 a warm validate): the frozen class's __init__
    was a third of the time."""
    file, unit_id, id_path, last_done = head
    try:
        result = _new(UnitResult)
        result.__dict__.update(
            file=file,
            unit=None,
            problems=problems_of(problems, file=file) if problems else (),
            unit_id=unit_id,
            unit_id_path=_key_path(id_path),
            last_done=None if last_done is None else date_of(last_done),
        )
    except (ValueError, TypeError):
        return None
    return result


def write_rows(
    conn: sqlite3.Connection,
    path: str,
    saved: Stamp,
    result: UnitResult,
    campaign: Campaign,
    counts: Counts,
) -> int:
    """Replace one file's rows, its occurrences' change of the tally into ``counts``; the
    caller holds the transaction. Returns its id."""
    old = conn.execute("SELECT id FROM files WHERE path = ?", (path,)).fetchone()
    if old is not None:
        delete_rows(conn, old[0], counts)
    unit = result.unit
    id_path, last_done = json.dumps(result.unit_id_path), day_text(result.last_done)
    where = (unit.county, unit.level.value) if unit else (None, None)
    row = (path, *saved, result.file, result.unit_id, id_path, last_done, int(bool(unit)), *where)
    file_id = conn.execute(INSERT_FILE, row).lastrowid
    assert file_id is not None
    problems = problem_rows(file_id, result.problems)
    conn.executemany(INSERT_PROBLEM, problems)
    parts = None if unit is None else unit_rows(file_id, unit)
    occurrences = None if unit is None else occurrence_rows(file_id, unit, campaign)
    if parts is not None and occurrences is not None:
        conn.execute(INSERT_UNIT, parts[0])
        conn.executemany(INSERT_TASK, parts[1])
        conn.executemany(INSERT_OCCURRENCE, occurrences)
        counts.add(where[0], where[1], occurrences, 1)
    digests = (digest((row, problems)), parts and digest(parts))
    conn.execute(
        "UPDATE files SET digest = ?, unit_digest = ?, occurrence_digest = ?, listing_digest = ? "
        "WHERE id = ?",
        (
            *digests,
            _occurrence_digest(conn, file_id) if occurrences else None,
            listing_digest(conn, file_id) if parts else None,
            file_id,
        ),
    )
    return file_id


def delete_rows(conn: sqlite3.Connection, file_id: int, counts: Counts) -> None:
    """Drop one file's rows, taking its occurrences out of ``counts``: those written, as
    their checksums show; rows found damaged make the tally one to count again."""
    found = conn.execute(
        f"SELECT {FILE_COLUMNS}, digest, occurrence_digest FROM files WHERE id = ?", (file_id,)
    ).fetchone()
    if found is not None:
        *stored, check, occurrence_check = found
        problems = conn.execute(
            f"SELECT {PROBLEM_COLUMNS} FROM problems WHERE file = ? ORDER BY seq", (file_id,)
        ).fetchall()
        occurrences = conn.execute(
            f"SELECT {OCCURRENCE_COLUMNS} FROM occurrences WHERE file = ?", (file_id,)
        ).fetchall()
        if digest((tuple(stored), problems)) == check and occurrence_check == (
            _occurrence_digest(conn, file_id) if occurrences else None
        ):
            counts.add(stored[BUILT + 1], stored[BUILT + 2], occurrences, -1)
        else:
            counts.damaged = True
    conn.execute("DELETE FROM files WHERE id = ?", (file_id,))
    for table in ("problems", "units", "tasks", "occurrences"):
        conn.execute(f"DELETE FROM {table} WHERE file = ?", (file_id,))


def _occurrence_digest(conn: sqlite3.Connection, file_id: int) -> bytes | None:
    """The checksum of a file's occurrence rows as they stand, in the order written."""
    (text,) = conn.execute(
        f"SELECT {OCCURRENCE_TEXT} FROM (SELECT * FROM occurrences WHERE file = ? ORDER BY seq, n)",
        (file_id,),
    ).fetchone()
    return text_digest(text)


def listing_digest(conn: sqlite3.Connection, file_id: int) -> bytes | None:
    """The checksum of a file's unit and task rows as they stand (LISTING_TEXT)."""
    (text,) = conn.execute(f"SELECT {LISTING_TEXT.format('?')}", (file_id, file_id)).fetchone()
    return text_digest(text)


def unit_rows_of(
    conn: sqlite3.Connection, wanted: Container[int]
) -> Iterator[tuple[int, tuple[Row, list[Row]]]]:
    """The unit and task rows of the wanted files, one file at a time.

    Both tables are walked in file order, side by side: a report holds the units it
    builds, never the rows of every unit at once (60 MB for a city).
    """
    tasks = conn.execute(f"SELECT {TASK_COLUMNS} FROM tasks ORDER BY file, seq")
    task = next(tasks, None)
    for head in conn.execute(f"SELECT {UNIT_COLUMNS} FROM units ORDER BY file"):
        file_id, own = head[0], []
        while task is not None and task[0] < file_id:
            task = next(tasks, None)
        while task is not None and task[0] == file_id:
            own.append(task)
            task = next(tasks, None)
        if file_id in wanted:
            yield file_id, (head, own)
