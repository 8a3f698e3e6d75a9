"""Per-file results kept between runs, so a run re-checks only the files that changed.

An entry is keyed by the file's path, size, modification and change times, inode
and mode; the whole cache by a fingerprint of the tool's own source (so results built
by other code, with another schema or rule set, are never served), the campaign's
config, and the working folder (problems name files relative to it).

The cache is read as untrusted data. It lives in the user's cache folder, never in
the campaign's (a file in a cloned repository would be someone else's), and a
folder or file that others could have written is not used. Its pickle is loaded
by an unpickler that can build only the tool's own records, so no file can run
code when read; a checksum turns any damage into a miss, never into a wrong result.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import functools
import hashlib
import io
import os
import pickle
import stat
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checklist import __version__
from checklist.load.check import UnitResult
from checklist.model import Campaign, Level, Person, Problem, Severity, Task, Unit

MAGIC = b"checklist cache\n"
DIGEST_SIZE = 32
# A file changed within this many seconds of being read may change again within the
# same timestamp tick; its entry is not kept (git calls such files "racily clean").
RACY_SECONDS = 2.0

Stamp = tuple[int, int, int, int, int]  # size, mtime and ctime in ns, inode, mode
Packed = tuple[UnitResult, bytes | None]  # as validate.Packed: the result, the unit pickled

# The package whose source the fingerprint covers: a cache is only read by the same code.
PACKAGE = Path(__file__).resolve().parent.parent

# Everything a cached result is made of; a pickle naming anything else is refused.
# Named by where each class lives now, so a record that moves to another module still loads.
_ALLOWED: dict[tuple[str, str], type] = {
    (cls.__module__, cls.__qualname__): cls
    for cls in (UnitResult, Problem, Severity, Unit, Task, Person, Level, dt.date)
}


class CacheRefusedError(Exception):
    """The cache folder or file is not safe to read; the run goes on without a cache."""


class _RecordUnpickler(pickle.Unpickler):
    """Builds the tool's records, dates and plain containers, and nothing that can run code.

    Every class a pickle names passes through find_class, so no function (os.system,
    eval, …) can be reached. It is as fast as pickle.loads: find_class runs once per
    class, the records are filled in C.
    """

    def find_class(self, module: str, name: str) -> Any:
        try:
            return _ALLOWED[module, name]
        except KeyError:
            raise pickle.UnpicklingError(f"{module}.{name} is not a cached record") from None


def loads(data: bytes) -> Any:
    """Unpickle data from the cache or a worker, allowing only the tool's own records."""
    return _RecordUnpickler(io.BytesIO(data)).load()


def cache_root() -> Path:
    """$CHECKLIST_CACHE_DIR, else $XDG_CACHE_HOME/checklist, else ~/.cache/checklist."""
    if os.environ.get("CHECKLIST_CACHE_DIR"):
        return Path(os.environ["CHECKLIST_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME", "")
    # The XDG spec: a relative path in these variables is invalid and ignored.
    if not Path(base).is_absolute():
        try:
            base = str(Path.home() / ".cache")
        except RuntimeError:  # no HOME, and no home in the password database
            raise CacheRefusedError("there is no home folder to keep a cache in") from None
    return Path(base) / "checklist"


def trusted_root(root: Path, campaign: Campaign) -> Path:
    """``root`` if a cache there can only hold what this user wrote; else CacheRefusedError."""
    if not root.is_absolute():
        raise CacheRefusedError(f"the cache folder {root} is a relative path")
    real = Path(os.path.realpath(root))
    for folder, what in _campaign_folders(campaign):
        if real == folder or folder in real.parents:
            raise CacheRefusedError(
                f"the cache folder {root} is inside {what} {folder}, where anyone who "
                "edits the campaign could plant a cache; set CHECKLIST_CACHE_DIR to a "
                "folder of your own"
            )
    try:
        status = real.stat()
    except FileNotFoundError:
        return real  # made on saving, for this user alone
    except OSError as error:
        raise CacheRefusedError(
            f"the cache folder {root} cannot be read ({error.strerror})"
        ) from None
    if not stat.S_ISDIR(status.st_mode):
        raise CacheRefusedError(f"the cache folder {root} is not a folder")
    _check_owner(status, f"the cache folder {root}")
    return real


def _campaign_folders(campaign: Campaign) -> list[tuple[Path, str]]:
    """The campaign's folder, and the top of the git repository holding it, if any."""
    root = Path(os.path.realpath(campaign.root))
    folders = [(root, "the campaign's folder")]
    for folder in (root, *root.parents):
        if (folder / ".git").exists():
            folders.append((folder, "the git repository of the campaign,"))
            break
    return folders


def _check_owner(status: os.stat_result, what: str) -> None:
    getuid = getattr(os, "getuid", None)
    if getuid is None:  # Windows: no owners or mode bits to go by
        return
    if status.st_uid != getuid():
        raise CacheRefusedError(f"{what} belongs to another user")
    if status.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise CacheRefusedError(f"{what} can be written by other users (chmod go-w fixes that)")


@functools.cache
def source_digest(package: Path) -> str:
    """A hash of every module of ``package``: the schema, the rules, the records, the cache.

    Hashing the contents (a few hundred kB, about a millisecond, once a process) rather
    than sizes and times: installers and reproducible builds give every file the same
    time, whatever the version. Code that is not in files (a zip) hashes to nothing, and
    the version alone tells it apart.
    """
    digest = hashlib.blake2b(digest_size=DIGEST_SIZE)
    for path in sorted(package.rglob("*.py")):
        with contextlib.suppress(OSError):
            data = path.read_bytes()
            digest.update(f"{path.relative_to(package).as_posix()}\0{len(data)}\0".encode())
            digest.update(data)
    return digest.hexdigest()


def stamp(status: os.stat_result) -> Stamp:
    # ctime catches a same-size edit whose mtime was put back (cp -p, touch -r); mode, chmod.
    return (
        status.st_size,
        status.st_mtime_ns,
        status.st_ctime_ns,
        status.st_ino,
        status.st_mode,
    )


@dataclass
class Cache:
    path: Path
    fingerprint: str
    entries: dict[str, tuple[Stamp, Packed]] = field(default_factory=dict)
    changed: bool = False

    @classmethod
    def open(cls, campaign: Campaign) -> Cache:
        """The campaign's cache, or an empty one if it is missing, stale or damaged.

        Raises CacheRefusedError when the folder or the file could have been written by
        someone else: the caller warns and runs without a cache.
        """
        root = trusted_root(cache_root(), campaign)
        key = f"{campaign.root}\0{Path.cwd()}".encode()
        path = root / f"{hashlib.sha256(key).hexdigest()[:20]}.pickle"
        # Not the day: entries record what makes them depend on it (UnitResult.last_done).
        parts = (__version__, source_digest(PACKAGE), sys.version, repr(campaign), str(Path.cwd()))
        fingerprint = hashlib.sha256(repr(parts).encode()).hexdigest()
        cache = cls(path, fingerprint)
        data = _read_own(path)
        if data is None:
            return cache
        entries = _decode(data, fingerprint)
        if entries is None:
            cache.changed = True  # damaged, or from another version: rebuild it
        else:
            cache.entries = entries
        return cache

    def get(self, path: str, status: os.stat_result) -> Packed | None:
        """The entry for an unchanged file; anything odd about it makes it a miss."""
        entry = self.entries.get(path)
        if entry is None:
            return None
        try:
            saved, (result, blob) = entry
        except (TypeError, ValueError):
            return None
        if saved != stamp(status) or not isinstance(result, UnitResult):
            return None
        return (result, blob) if blob is None or isinstance(blob, bytes) else None

    def put(self, path: str, status: os.stat_result, result: Packed) -> None:
        if time.time() - status.st_mtime < RACY_SECONDS:
            return
        self.entries[path] = (stamp(status), result)
        self.changed = True

    def forget_gone(self, seen: set[str]) -> None:
        """Forget files that are gone, so the cache does not grow forever.

        ``seen`` are the files this run found; a run over part of the campaign keeps
        the entries of the other files as long as they exist.
        """
        gone = [p for p in self.entries.keys() - seen if not os.path.lexists(p)]
        for path in gone:
            del self.entries[path]
        self.changed |= bool(gone)

    def save(self) -> None:
        """Write atomically; two runs at once each leave a whole, valid cache."""
        if not self.changed:
            return
        payload = pickle.dumps(
            {"fingerprint": self.fingerprint, "entries": self.entries},
            protocol=pickle.HIGHEST_PROTOCOL,
        )
        digest = hashlib.blake2b(payload, digest_size=DIGEST_SIZE).digest()
        # A read-only home or a full disk: no cache, and the next run is just slower.
        with contextlib.suppress(OSError):
            _write_private(self.path, MAGIC + digest + payload)


def _read_own(path: Path) -> bytes | None:
    """The cache file's bytes, if it is this user's regular file; None if there is none."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        return None
    except OSError as error:
        if error.errno == errno.ELOOP:  # a symbolic link: it could point anywhere
            raise CacheRefusedError(f"the cache file {path} is a symbolic link") from None
        return b""  # a folder, no permission: a miss, and rebuilt if it can be
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            raise CacheRefusedError(f"the cache file {path} is not a regular file")
        _check_owner(status, f"the cache file {path}")
        with os.fdopen(os.dup(fd), "rb") as handle:
            return handle.read()
    except OSError:
        return b""  # unreadable now: a miss, rebuilt on saving
    finally:
        os.close(fd)


def _decode(data: bytes, fingerprint: str) -> dict[str, tuple[Stamp, Packed]] | None:
    """The entries, if the data is whole and written for this fingerprint; else None."""
    if not data.startswith(MAGIC):
        return None
    digest = data[len(MAGIC) : len(MAGIC) + DIGEST_SIZE]
    payload = data[len(MAGIC) + DIGEST_SIZE :]
    if hashlib.blake2b(payload, digest_size=DIGEST_SIZE).digest() != digest:
        return None
    try:
        saved = loads(payload)
    except Exception:  # a pickle naming something other than our records
        return None
    if not isinstance(saved, dict) or saved.get("fingerprint") != fingerprint:
        return None
    entries = saved.get("entries")
    return entries if isinstance(entries, dict) else None


def _write_private(path: Path, data: bytes) -> None:
    """Like atomic.write_atomic, but the folder and file are for this user alone."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    temporary = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:  # mkstemp's mode: 0600
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
