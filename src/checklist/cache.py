"""Per-file results kept between runs, so a run re-checks only the files that changed.

An entry is keyed by the file's path, size, modification time and inode; the
whole cache by a fingerprint of the tool's version, the campaign's config,
and the working folder (problems name files relative to it). It
lives in the user's cache folder, not the campaign's: a pickle in a cloned
repository would be someone else's code waiting to run.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from checklist import __version__
from checklist.atomic import write_atomic
from checklist.check import UnitResult
from checklist.model import Campaign

FORMAT = 1
# A file changed within this many seconds of being read may change again within the
# same timestamp tick; its entry is not kept (git calls such files "racily clean").
RACY_SECONDS = 2.0

Stamp = tuple[int, int, int]  # size, mtime in ns, inode
Packed = tuple[UnitResult, bytes | None]  # as validate.Packed: the result, the unit pickled


def cache_root() -> Path:
    """$CHECKLIST_CACHE_DIR, else $XDG_CACHE_HOME/checklist, else ~/.cache/checklist."""
    if os.environ.get("CHECKLIST_CACHE_DIR"):
        return Path(os.environ["CHECKLIST_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "checklist"


def stamp(status: os.stat_result) -> Stamp:
    return status.st_size, status.st_mtime_ns, status.st_ino


@dataclass
class Cache:
    path: Path
    fingerprint: str
    entries: dict[str, tuple[Stamp, Packed]] = field(default_factory=dict)
    changed: bool = False

    @classmethod
    def open(cls, campaign: Campaign) -> Cache:
        """The campaign's cache, or an empty one if it is missing, stale or unreadable."""
        key = f"{campaign.root}\0{Path.cwd()}".encode()
        path = cache_root() / f"{hashlib.sha256(key).hexdigest()[:20]}.pickle"
        # Not the day: entries record what makes them depend on it (UnitResult.last_done).
        parts = (__version__, FORMAT, sys.version, repr(campaign), str(Path.cwd()))
        fingerprint = hashlib.sha256(repr(parts).encode()).hexdigest()
        cache = cls(path, fingerprint)
        try:
            with path.open("rb") as handle:
                saved = pickle.load(handle)  # our own file, in the user's own folder
            if saved["fingerprint"] == fingerprint:
                cache.entries = saved["entries"]
        except FileNotFoundError:
            pass
        except Exception:  # corrupt, truncated, from another version: rebuild it
            cache.changed = True
        return cache

    def get(self, path: str, status: os.stat_result) -> Packed | None:
        entry = self.entries.get(path)
        return entry[1] if entry and entry[0] == stamp(status) else None

    def put(self, path: str, status: os.stat_result, result: Packed) -> None:
        if time.time() - status.st_mtime < RACY_SECONDS:
            return
        self.entries[path] = (stamp(status), result)
        self.changed = True

    def keep_only(self, paths: set[str]) -> None:
        """Forget files that are gone, so the cache does not grow forever."""
        gone = self.entries.keys() - paths
        for path in gone:
            del self.entries[path]
        self.changed |= bool(gone)

    def save(self) -> None:
        """Write atomically; two runs at once each leave a whole, valid cache."""
        if not self.changed:
            return
        data = pickle.dumps(
            {"fingerprint": self.fingerprint, "entries": self.entries},
            protocol=pickle.HIGHEST_PROTOCOL,
        )
        # A read-only home or a full disk: no cache, and the next run is just slower.
        with contextlib.suppress(OSError):
            write_atomic(self.path, data)
