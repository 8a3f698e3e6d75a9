"""Where the per-file store may live, who may have written it, and what it is keyed by.

The store is read as untrusted data. It lives in the user's cache folder, never in
the campaign's (a file in a cloned repository would be someone else's), and a folder
or file that others could have written is not used. Its fingerprint covers the tool's
own source, so results built by other code are never served.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import stat
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from checklist.model import Campaign

Stamp = tuple[int, int, int, int, int]  # size, mtime and ctime in ns, inode, mode


class CacheRefusedError(Exception):
    """The cache folder or file is not safe to read; the run goes on without a cache."""


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
    check_owner(status, f"the cache folder {root}")
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


def check_owner(status: os.stat_result, what: str) -> None:
    getuid = getattr(os, "getuid", None)
    if getuid is None:  # Windows: no owners or mode bits to go by
        return
    if status.st_uid != getuid():
        raise CacheRefusedError(f"{what} belongs to another user")
    if status.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise CacheRefusedError(f"{what} can be written by other users (chmod go-w fixes that)")


@functools.cache
def source_digest(package: Path) -> str:
    """A hash of every module of ``package``: the schema, the rules, the records, the store.

    Hashing the contents (a few hundred kB, about a millisecond, once a process) rather
    than sizes and times: installers and reproducible builds give every file the same
    time, whatever the version. Code that is not in files (a zip) hashes to nothing, and
    the version alone tells it apart.
    """
    digest = hashlib.blake2b(digest_size=32)
    top, found = str(package), list[str]()
    for folder, _, files in os.walk(top):  # not rglob: a third of the time, every run
        below = os.path.relpath(folder, top).replace(os.sep, "/")
        prefix = "" if below == "." else below + "/"
        found.extend(prefix + name for name in files if name.endswith(".py"))
    for name in sorted(found):
        with contextlib.suppress(OSError), open(os.path.join(top, name), "rb") as file:  # noqa: PTH118,PTH123
            data = file.read()
            digest.update(f"{name}\0{len(data)}\0".encode())
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


def stat_all(keys: Sequence[str]) -> list[os.stat_result | None]:
    """Each file's status (absolute paths), None for one gone or unreadable."""
    return list(_statuses(keys))


def stamp_all(keys: Sequence[str]) -> list[Stamp | None]:
    """Each file's stamp, as stat_all's statuses give them, without holding every status
    at once (some 450 bytes each)."""
    return [None if status is None else stamp(status) for status in _statuses(keys)]


def _statuses(keys: Sequence[str]) -> Iterator[os.stat_result | None]:
    """Each folder is opened once and its files stat'ed by name in it, as discovery lists
    them (folder by folder): the system looks up a file's folders once a folder, not
    once a file (a fifth of the time at 10,000 files)."""
    status_of = os.stat  # 10,000 paths: no Path, no context manager each
    by_folder = status_of in os.supports_dir_fd
    folder, fd = "", -1
    try:
        for key in keys:
            head, _, name = key.rpartition("/")
            if by_folder and head and head != folder:
                if fd >= 0:
                    os.close(fd)
                folder, fd = head, _folder_opened(head)
            try:
                if fd >= 0 and head == folder:
                    yield status_of(name, dir_fd=fd)
                else:
                    yield status_of(key)
            except OSError:
                yield None
    finally:
        if fd >= 0:
            os.close(fd)


def _folder_opened(folder: str) -> int:
    """The folder opened to stat the files in it, or -1 (they are stat'ed by path)."""
    try:
        return os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return -1


def usable(paths: Iterable[Path]) -> bool:
    """Whether a store's files may be used; CacheRefusedError if they are not ours.

    Missing files are fine (they are made for this user alone); a folder where a file
    should be is not used, and not an error.
    """
    for path in paths:
        try:
            status = os.lstat(path)
        except FileNotFoundError:
            continue
        except OSError:
            return False
        if stat.S_ISLNK(status.st_mode):  # a symbolic link: it could point anywhere
            raise CacheRefusedError(f"the cache file {path} is a symbolic link")
        if not stat.S_ISREG(status.st_mode):
            return False
        check_owner(status, f"the cache file {path}")
    return True
