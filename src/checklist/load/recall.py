"""The last run the index answered, kept beside the seal: which files, found true till when.

A warm report stats every file (any may have changed), then matched each against its
stored row, judged it still true and wrote the run's table: 50 ms of a 300 ms `status`
at 10,000 units. While the store has the stamps of the seal that vouched for those rows
(load/seal.py) and the run's files have the very paths and stamps they had, the rows
are the ones that run judged, and so is the judgement: the run's table is made from
the memo in one statement. The memo is trusted no further than the seal: a memo of
other stamps, or one that does not parse as written, recalls nothing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from checklist.load.cache import Stamp
from checklist.load.rows import digest
from checklist.load.seal import Stamps, write_private


@dataclass(frozen=True, slots=True)
class Memo:
    """A run the index answered: its files (by path and stamp), true from ``since`` on."""

    key: str  # the run's paths and stamps, in its order (key_of)
    since: str  # the latest done date of its files ("" for none): true from that day
    built: tuple[int, ...]  # the row ids of its files with a unit, in its order
    skipped: int  # its files with errors, no unit
    whole: bool  # its files are every file the index holds


def memo_path(store: Path) -> Path:
    return store.with_name(store.name + "-run")


def key_of(files: Sequence[str], stamps: Sequence[Stamp]) -> str:
    return digest((tuple(files), tuple(stamps))).hex()


def recall(store: Path, stamps: Stamps) -> Memo | None:
    """The memo kept with these very store stamps, or None."""
    try:
        with memo_path(store).open("rb") as file:
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


def keep(store: Path, stamps: Stamps, memo: Memo) -> None:
    """Keep the memo for the store at ``stamps``; best effort."""
    document = {
        "stamps": stamps,
        "key": memo.key,
        "since": memo.since,
        "built": memo.built,
        "skipped": memo.skipped,
        "whole": memo.whole,
    }
    write_private(memo_path(store), json.dumps(document, separators=(",", ":")))
