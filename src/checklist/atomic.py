"""Write a file so that a crash or a full disk leaves the old one or the new one, never half."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

_TRIES = 5


def write_atomic(path: Path, data: bytes, *, exclusive: bool = False) -> None:
    """Write to a temporary file in the same folder, flush, fsync, rename over ``path``.

    The file keeps its permissions; a new file gets the usual ones (0666 less the umask),
    not mkstemp's private 0600. ``exclusive`` never replaces an existing file
    (FileExistsError): the temporary file is hard-linked into place, which fails
    rather than overwrite a file another process created meanwhile. Through a symbolic
    link the link's target is written and the link stays a link.
    """
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:  # a file where the folder should be: not "the file exists"
        raise NotADirectoryError(
            errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(path.parent)
        ) from None
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    temporary = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.chmod(mode)
        if exclusive:
            _link_new(temporary, path)
        else:
            temporary.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise


def _link_new(temporary: Path, path: Path) -> None:
    try:
        os.link(temporary, path)
    except FileExistsError:
        raise
    except OSError:  # no hard links here (FAT, some network shares): claim the name first
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        try:
            temporary.replace(path)
        except BaseException:
            with contextlib.suppress(OSError):
                path.unlink()
            raise
        return
    temporary.unlink()


def lock_path(path: Path) -> Path:
    """The lock file of ``path``: beside it, hidden, and never a *.toml."""
    return path.with_name(f".{path.name}.lock")


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock for ``path`` from the first read of an edit to its write.

    The lock is on a separate file, because the file itself is replaced by a rename:
    a lock on its old inode would not stop a process that opens the new one. The
    lock file is removed on release so that no litter is left in the units folder;
    a process that locked a file removed meanwhile sees it is not the one at the
    path any more and tries again. BlockingIOError means another process holds it.
    """
    try:
        import fcntl
    except ImportError:  # Windows has no advisory locks: edits there are not locked
        yield
        return
    target = lock_path(path)
    for _ in range(_TRIES):
        fd = os.open(target, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            held, current = os.fstat(fd), _stat(target)
            if current is None or (held.st_dev, held.st_ino) != (current.st_dev, current.st_ino):
                continue  # its holder removed it after we opened it: lock the new one
            try:
                yield
            finally:
                with contextlib.suppress(OSError):
                    target.unlink()
            return
        finally:
            os.close(fd)
    raise BlockingIOError(f"{target} keeps being replaced")


def _stat(path: Path) -> os.stat_result | None:
    try:
        return path.lstat()
    except OSError:
        return None


def remove_temporaries(path: Path) -> list[Path]:
    """Remove what killed writes of ``path`` left beside it: only our own temporary files.

    Call it holding ``path``'s lock, so that no live write of it is under way.
    """
    pattern = re.compile(rf"\.{re.escape(path.name)}\.[A-Za-z0-9_]{{8}}\.tmp")
    removed = []
    with contextlib.suppress(OSError), os.scandir(path.parent) as entries:
        for entry in entries:
            if pattern.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    Path(entry.path).unlink()
                    removed.append(Path(entry.path))
    return removed
