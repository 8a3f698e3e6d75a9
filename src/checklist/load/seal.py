"""The index's seal: its files' stamps as they were when a run found every row true.

A warm report checks each file's row and every occurrence against their checksums: a
third of its time at 10,000 units. Any write to the index changes the ctime of its file
(or of its journal, while that holds pages), and nothing but the system clock sets a
ctime back; so while the stamps are the ones a run took before it checked every row
and found them all true, the rows are still those rows, and the checks are skipped.
No seal, another stamp or an unreadable seal: every row is checked again, as before.

This code's own writes carry the seal (held, carry): what a write adds is true as
written, so the store it leaves is sealed anew, unless another connection wrote
meanwhile. An edited file then costs its own check, not a check of every row.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from pathlib import Path
from typing import Any

Stamps = tuple[tuple[int, ...], ...]
Held = tuple[frozenset[str], Any]  # what a seal vouched for, and the data's version


def seal_path(store: Path) -> Path:
    return store.with_name(store.name + "-seal")


def _stamp(path: Path) -> tuple[int, ...] | None:
    try:
        status = os.stat(path)  # noqa: PTH116
    except FileNotFoundError:
        return None
    return (status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino, status.st_dev)


def stamps_of(store: Path) -> Stamps | None:
    """The store's stamps now: its file's, and its journal's while that holds pages (an
    empty journal is made and removed as connections come and go, and holds nothing)."""
    try:
        own = _stamp(store)
        journal = _stamp(store.with_name(store.name + "-wal"))
    except OSError:
        return None
    if own is None:
        return None
    return (own,) if journal is None or journal[0] == 0 else (own, journal)


def holds(store: Path, stamps: Stamps | None) -> frozenset[str]:
    """What a run found true when the store had these very stamps: nothing, its rows
    ("rows"), or its rows and the tally ("tally": indexed_tally.py checks it apart)."""
    if stamps is None:
        return frozenset()
    try:
        with seal_path(store).open("rb") as file:
            kept = json.loads(file.read(4096))
    except (OSError, ValueError):
        return frozenset()
    if not isinstance(kept, dict) or not isinstance(kept.get("stamps"), list):
        return frozenset()
    found = tuple(tuple(s) for s in kept["stamps"] if isinstance(s, list))
    parts = kept.get("parts")
    if found != stamps or not isinstance(parts, list) or "rows" not in parts:
        return frozenset()
    return frozenset(p for p in parts if p in ("rows", "tally"))


def put(store: Path, stamps: Stamps, parts: frozenset[str] = frozenset({"rows"})) -> None:
    """Seal the store as it was at ``stamps`` (taken before its rows were checked: a write
    meanwhile changed them, so that seal holds for nothing). Best effort, private."""
    write_private(seal_path(store), json.dumps({"stamps": stamps, "parts": sorted(parts)}))


def held(conn: sqlite3.Connection, store: Path) -> Held:
    """What the seal vouches for as a write begins (the caller holds the write lock), and
    the version of the data as this connection sees it (PRAGMA data_version)."""
    return holds(store, stamps_of(store)), conn.execute("PRAGMA data_version").fetchone()


def carry(conn: sqlite3.Connection, store: Path, before: Held) -> None:
    """Seal the store as a write (committed) left it, when the seal held as it began: the
    rows it wrote are true as written (their checksums made from them), the tally changed
    with them, the rest is as sealed. Not if another connection wrote since it began (the
    data_version moved): the next report checks every row. Best effort.

    Any write changes the stamps: without this, one edited file cost the next report a
    check of every row (a second at 100,000 units)."""
    parts, version = before
    if not parts:
        return
    with contextlib.suppress(sqlite3.Error):
        stamps = stamps_of(store)
        if stamps is not None and conn.execute("PRAGMA data_version").fetchone() == version:
            put(store, stamps, parts)


def write_private(target: Path, text: str) -> None:
    """Replace ``target`` with ``text`` at once, readable by this user alone; best effort
    (a file beside the store: without it, a run does the work it spares)."""
    temporary = target.with_name(f".{target.name}.{os.getpid()}")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    with contextlib.suppress(OSError):
        with os.fdopen(os.open(temporary, flags, 0o600), "w", encoding="utf-8") as file:
            file.write(text)
        temporary.replace(target)
    with contextlib.suppress(OSError):
        temporary.unlink()
