"""A write carries the seal (load/seal.py): an edited file costs its own check, not a check
of every row; a write by anyone else still breaks it.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from checklist.load import seal
from conftest import OLD, Result, stored_index

CITY_SEED = 3


def _edit(city: Path, n: int) -> None:
    unit = sorted(city.rglob("units/**/*.toml"))[n]
    unit.write_text(unit.read_text(encoding="utf-8").replace("done = ", "# done = ", 1), "utf-8")
    os.utime(unit, (OLD + n, OLD + n))


@pytest.mark.parametrize("report", ["status", "rollup", "remind"])
def test_an_edited_file_leaves_the_seal_on(
    cli: Callable[..., Result], checks: list[int], city: Path, report: str
) -> None:
    args = (report, city, "--format", "json")
    cli(*args)  # every row checked once: sealed
    assert checks == [1]
    for n in (0, 5, 9):
        _edit(city, n)
        assert cli(*args).out == cli(*args, "--no-cache").out
    assert checks == [1]  # each write carried the seal: no row checked again
    assert seal.holds(stored_index(), seal.stamps_of(stored_index()))


def test_a_deleted_file_leaves_the_seal_on(
    cli: Callable[..., Result], checks: list[int], city: Path
) -> None:
    args = ("rollup", city, "--format", "json")
    cli(*args)
    sorted(city.rglob("units/**/*.toml"))[2].unlink()  # its rows are forgotten
    assert cli(*args).out == cli(*args, "--no-cache").out
    assert checks == [1]


def test_a_write_by_another_connection_meanwhile_is_not_sealed(
    cli: Callable[..., Result],
    checks: list[int],
    city: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Another writer between this write's commit and its stamps: its rows were never
    checked, so the seal is not carried and the next report checks every row."""
    args = ("rollup", city, "--format", "json")
    afresh = cli(*args, "--no-cache")
    cli(*args)
    real = seal.carry

    def meanwhile(conn: sqlite3.Connection, store: Path, before: seal.Held) -> None:
        other = sqlite3.connect(store)
        try:  # an occurrence moved, behind the store's back
            other.execute(
                "UPDATE occurrences SET due = '2023-01-01' WHERE (file, seq, n) = "
                "(SELECT file, seq, n FROM occurrences WHERE due > '2023-01-01' LIMIT 1)"
            )
            other.commit()
        finally:
            other.close()
        real(conn, store, before)

    monkeypatch.setattr(seal, "carry", meanwhile)
    _edit(city, 1)
    checks.clear()
    assert cli(*args).code == 0
    monkeypatch.setattr(seal, "carry", real)
    assert checks == [1]  # the seal was not carried: every row checked, the damage found
    assert cli(*args).out == cli(*args, "--no-cache").out != afresh.out


def test_rows_found_damaged_by_a_write_end_the_seal(
    cli: Callable[..., Result], checks: list[int], city: Path
) -> None:
    """Damage the stamps do not show (a disk's, say: the seal is put back here by hand)
    is found when the file's rows are replaced; that write carries no seal, and the next
    report checks every row and counts the tally again."""
    args = ("rollup", city, "--format", "json")
    cli(*args)
    unit = sorted(city.rglob("units/**/*.toml"))[4]
    store = stored_index()
    conn = sqlite3.connect(store)
    try:  # the file's first occurrence moved a year, behind the store's back
        ((file_id,),) = conn.execute("SELECT id FROM files WHERE path = ?", (str(unit),))
        conn.execute(
            "UPDATE occurrences SET due = '2022-01-01' WHERE (file, seq, n) = "
            "(SELECT file, seq, n FROM occurrences WHERE file = ? LIMIT 1)",
            (file_id,),
        )
        conn.commit()
    finally:
        conn.close()
    stamps = seal.stamps_of(store)
    assert stamps is not None
    seal.put(store, stamps, frozenset({"rows", "tally"}))
    _edit(city, 4)  # its rows replaced: the damaged ones found on the way
    checks.clear()
    edited = cli(*args)
    assert checks == [1]  # the write carried no seal: every row checked after it
    assert edited.out == cli(*args, "--no-cache").out  # and the tally counted again
