"""The tally: a campaign's occurrences counted by what its rollup and trend group,
filter and compare them by, kept with each file's rows (a city's 169,000 occurrence
rows are 45,000 counts here), and the spread: the units with a task of each measure.

Each table's checksum is the sum of every row's count times a hash of its key: a file
written or dropped changes it by its own counts alone, in the same transaction, and a
reader checks a table by reading it once (indexed_tally.py), not by counting every
occurrence again. No done date is '' (a key column cannot be NULL).
"""

from __future__ import annotations

import functools
import hashlib
import marshal
import sqlite3
from collections import Counter
from collections.abc import Iterable
from typing import Any

TALLY_KEY = "county, measure, level, due, done, postponed"
SPREAD_KEY = "county, measure, level"
_MODULUS = 1 << 61  # sums of two stay within SQLite's signed 64-bit integers

Row = tuple[Any, ...]


@functools.lru_cache(maxsize=1 << 16)
def _hash(key: Row) -> int:
    digest = hashlib.blake2b(marshal.dumps(key, 0), digest_size=8).digest()
    return int.from_bytes(digest) % _MODULUS


def checksum(rows: Iterable[Row]) -> int:
    """A table's checksum from its rows (key columns, then the count)."""
    total: int = sum(row[-1] * _hash(row[:-1]) for row in rows)
    return total % _MODULUS


class Counts:
    """What the files written in one transaction change in the tally and the spread,
    added up in memory and written once (two statements a file made a cold run 8% slower)."""

    def __init__(self) -> None:
        self.tally: Counter[Row] = Counter()
        self.spread: Counter[Row] = Counter()
        self.damaged = False  # a file's rows taken out were not those written

    def add(self, county: Any, level: Any, occurrences: Iterable[Row], n: int) -> None:
        """Count a file's occurrence rows in (n = 1) or out (n = -1)."""
        measures = set()
        for _file, _seq, _n, measure, _owner, due, done, postponed in occurrences:
            self.tally[county, measure, level, due, done or "", int(postponed is not None)] += n
            measures.add(measure)
        for measure in measures:
            self.spread[county, measure, level] += n

    def merge(self, other: Counts) -> None:
        self.tally.update(other.tally)
        self.spread.update(other.spread)
        self.damaged |= other.damaged

    def write(self, conn: sqlite3.Connection) -> None:
        """Add the changes to the tables and to their checksums (a count of 0 stays,
        counting nothing). After damage the checksums are marked untrue (-1, which no
        sum is) until the tables are counted again from the occurrences."""
        tables = (("tally", "n", self.tally), ("spread", "units", self.spread))
        for table, column, counted in tables:
            rows = [(*key, n) for key, n in counted.items() if n]
            if rows:
                conn.executemany(
                    f"INSERT INTO {table} VALUES ({', '.join('?' * len(rows[0]))}) "
                    f"ON CONFLICT DO UPDATE SET {column} = {column} + excluded.{column}",
                    rows,
                )
            conn.execute(
                "INSERT INTO sums VALUES (?, ?) ON CONFLICT DO UPDATE SET value = "
                f"iif(value < 0 OR excluded.value < 0, -1, (value + excluded.value) % {_MODULUS})",
                (table, -1 if self.damaged else checksum(rows)),
            )
            counted.clear()
        self.damaged = False


def kept_sums(conn: sqlite3.Connection) -> dict[str, int]:
    """The checksums kept for the tables (0 for a table never written: empty)."""
    found = {"tally": 0, "spread": 0}
    found.update(conn.execute("SELECT name, value FROM sums"))
    return found


def sums_of(conn: sqlite3.Connection) -> dict[str, int]:
    """The checksums of the tables as they are."""
    return {
        "tally": checksum(conn.execute(f"SELECT {TALLY_KEY}, n FROM tally WHERE n != 0")),
        "spread": checksum(
            conn.execute(f"SELECT {SPREAD_KEY}, units FROM spread WHERE units != 0")
        ),
    }
