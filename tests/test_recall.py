"""A warm run of the same files recalls the last one (load/recall.py) and answers as it did.

The recalled run must be the run the rows make: the same files counted, skipped and in
the same order, on a store the seal vouches for. Anything else (an edited file, a write
to the store, a memo of other stamps or one that does not parse, a day it does not hold
on) goes the whole way, and every report still prints what the units' path prints.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from checklist.indexed import Index, open_index
from checklist.load import recall
from checklist.load.campaign import load_campaign
from checklist.load.discover import find
from checklist.load.store import Store
from conftest import OLD, Result

CITY_SEED = 5

TODAY = dt.date(2023, 11, 20)


@pytest.fixture
def matched(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times a run matched the files against their stored rows one by one."""
    calls: list[int] = []
    real = Store.matching

    def spy(self: Store, *args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Store, "matching", spy)
    return calls


def _memo(city: Path) -> Path:
    store = Store.open(load_campaign(city / "campaign.toml"))
    store.close()
    return recall.memo_path(store.path)


def _run(index: Index) -> tuple[object, ...]:
    rows = index.conn.execute("SELECT file, pos, unit, county, level FROM temp.run ORDER BY pos")
    return (index.skipped, index.built, index.whole, index.vouched, rows.fetchall())


def _opened(city: Path, folder: Path) -> tuple[object, ...] | None:
    campaign = load_campaign(city / "campaign.toml")
    store = Store.open(campaign)
    index = open_index(store, find([folder], campaign).names, today=TODAY)
    if index is None:
        store.close()
        return None
    with index:
        return _run(index)


@pytest.mark.parametrize("part", ["", "410102"])
def test_the_recalled_run_is_the_run_the_rows_make(
    cli: Callable[..., Result], matched: list[int], city: Path, part: str
) -> None:
    """Over the whole campaign and over one county's folder (not every file: not whole)."""
    folder = city / "units" / part if part else city
    cli("rollup", city)  # every file checked and kept, every row checked: sealed
    memo = _memo(city)
    memo.unlink(missing_ok=True)
    matched.clear()
    whole = _opened(city, folder)  # matched file by file; kept as the memo
    assert matched == [1]
    assert memo.exists()
    recalled = _opened(city, folder)
    assert matched == [1]  # not matched again
    assert whole is not None
    assert recalled == whole
    assert whole[2] is (not part)  # whole: every file the index holds
    assert len(whole[4]) == whole[1] > 0  # type: ignore[arg-type]


def test_reports_of_a_recalled_run_are_the_units_reports(
    cli: Callable[..., Result], matched: list[int], city: Path
) -> None:
    for args in (
        ("status", city),
        ("status", city, "--soon", "7", "--format", "json"),
        ("rollup", city, "--by", "county"),
        ("trend", city, "--every", "week"),
        ("remind", city, "--format", "json"),
    ):
        afresh = cli(*args, "--no-cache")
        cli(*args)
        matched.clear()
        warm = cli(*args)
        assert matched == [], args  # recalled
        assert (warm.code, warm.out, warm.err) == (afresh.code, afresh.out, afresh.err), args


def _edit(path: Path) -> None:
    """A new due date for the file's first task, written long ago as far as mtime says."""
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('due = "2023-', 'due = "2024-', 1), encoding="utf-8")
    os.utime(path, (OLD + 10, OLD + 10))


def test_an_edited_file_is_not_recalled(
    cli: Callable[..., Result], matched: list[int], city: Path
) -> None:
    cli("status", city)
    cli("status", city)
    _edit(sorted((city / "units").rglob("*.toml"))[3])
    matched.clear()
    edited = cli("status", city)
    assert matched  # matched again, the edited file checked and kept
    assert (edited.code, edited.out) == (cli("status", city, "--no-cache")[:2])
    matched.clear()
    assert cli("status", city).out == edited.out
    assert matched == []  # and the run after recalls the new run


def test_a_file_added_or_removed_is_not_recalled(
    cli: Callable[..., Result], matched: list[int], city: Path
) -> None:
    cli("rollup", city)
    cli("rollup", city)
    files = sorted((city / "units").rglob("*.toml"))
    files[0].unlink()
    matched.clear()
    fewer = cli("rollup", city, "--format", "json")
    assert matched
    assert fewer.out == cli("rollup", city, "--format", "json", "--no-cache").out


@pytest.mark.parametrize(
    "change",
    [
        lambda kept: {**kept, "since": "9999-12-31"},  # holds from a day not yet come
        lambda kept: {**kept, "stamps": [[1, 2, 3, 4, 5]]},  # another store's
        lambda kept: {**kept, "built": [*kept["built"], 10**9]},  # a file not in the store
        lambda kept: {**kept, "built": [str(i) for i in kept["built"]]},
        lambda kept: {**kept, "skipped": "0"},
        lambda kept: {**kept, "whole": 1},
        lambda kept: {k: v for k, v in kept.items() if k != "key"},
        lambda kept: [kept],
    ],
)
def test_a_memo_that_does_not_hold_is_not_recalled(
    cli: Callable[..., Result],
    matched: list[int],
    city: Path,
    change: Callable[[dict[str, object]], object],
) -> None:
    args = ("status", city, "--format", "json")
    afresh = cli(*args, "--no-cache")
    cli(*args)
    memo = _memo(city)
    kept = json.loads(memo.read_text(encoding="utf-8"))
    memo.write_text(json.dumps(change(kept)), encoding="utf-8")
    matched.clear()
    assert cli(*args).out == afresh.out
    assert matched == [1]


@pytest.mark.parametrize("damage", [b"", b"\xff\xfe", b"{", b"null", b"[]", b'{"stamps": 1}'])
def test_a_memo_that_does_not_parse_is_not_recalled(
    cli: Callable[..., Result], matched: list[int], city: Path, damage: bytes
) -> None:
    args = ("rollup", city, "--format", "json")
    afresh = cli(*args, "--no-cache")
    cli(*args)
    _memo(city).write_bytes(damage)
    matched.clear()
    assert cli(*args).out == afresh.out
    assert matched == [1]
