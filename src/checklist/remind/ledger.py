"""The ledger: what was delivered and what waits for a retry, in a state file, its journal
and its lock."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checklist.atomic import write_atomic
from checklist.errors import ConfigError, RemindBusyError, write_reason_zh
from checklist.load.source_zh import os_reason_zh as _read_reason_zh

STATE_VERSION = 1
PENDING_DAYS = 14  # a message that has failed for two weeks is stale; stop retrying it


class LedgerWriteError(ConfigError):
    """The state cannot be written: sending stops, so nothing goes out unrecorded."""


@dataclass
class Ledger:
    """Delivered message keys, and the messages that failed and wait for the next run.

    The state file is rewritten whole only at the start and the end of a run. In
    between, each outcome is appended to a journal beside it (``NAME.journal``, one
    JSON line each, written before the next message goes), which ``load`` reads
    back: a crash repeats at most the message in flight, and a run of 20,000
    messages does not write the whole state 20,000 times.
    """

    path: Path
    delivered: dict[str, str] = field(default_factory=dict)
    pending: dict[str, dict[str, Any]] = field(default_factory=dict)
    _journal: int | None = field(default=None, repr=False, compare=False)
    _sync_by: float = field(default=0.0, repr=False, compare=False)

    @property
    def journal(self) -> Path:
        return self.path.with_name(self.path.name + ".journal")

    @classmethod
    def load(cls, path: Path) -> Ledger:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            state = cls(path)
        except (OSError, ValueError, RecursionError) as error:
            # Starting afresh would send everything again: stop and let a person decide.
            why = _read_reason_zh(error) if isinstance(error, OSError) else "内容不是有效的 JSON"
            raise ConfigError(
                f"the reminder state {path} cannot be read ({error}); move it away to start afresh",
                zh=f"提醒记录 {path} 读不了({why});把它挪走,就会从头开始记录",
            ) from None
        else:
            if not _well_formed(raw):
                raise ConfigError(
                    f"the reminder state {path} is not one checklist wrote; "
                    "move it away to start afresh",
                    zh=f"提醒记录 {path} 不是 checklist 写的;把它挪走,就会从头开始记录",
                )
            state = cls(path, dict(raw.get("delivered", {})), dict(raw.get("pending", {})))
        state._replay()
        return state

    def _replay(self) -> None:
        try:
            with self.journal.open("rb") as handle:
                if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                    raise ConfigError(
                        f"the reminder journal {self.journal} is not a file; move it away",
                        zh=f"提醒流水记录 {self.journal} 不是普通文件;请把它挪走",
                    )
                data = handle.read()
        except FileNotFoundError:
            return
        except OSError as error:
            raise ConfigError(
                f"the reminder journal {self.journal} cannot be read ({error}); "
                "make it readable (moving it away sends what it records again)",
                zh=f"提醒流水记录 {self.journal} 读不了({_read_reason_zh(error)});"
                "请让它可以读取(如果把它挪走,里面记的提醒会再发一遍)",
            ) from None
        # The last piece has no newline: an append a crash cut short, or nothing.
        for number, line in enumerate(data.split(b"\n")[:-1], 1):
            try:
                record = json.loads(line)
            except (ValueError, RecursionError):
                record = None
            if not self._apply(record):
                raise ConfigError(
                    f"the reminder journal {self.journal} is damaged at line {number}; "
                    "move it away to go on (what it records may then be sent again)",
                    zh=f"提醒流水记录 {self.journal} 第 {number} 行损坏了;"
                    "把它挪走才能继续(里面记的提醒可能会再发一遍)",
                )

    def _apply(self, record: Any) -> bool:
        if not isinstance(record, dict):
            return False
        key = record.get("delivered")
        if isinstance(key, str) and isinstance(record.get("at"), str):
            self.delivered[key] = record["at"]
            self.pending.pop(key, None)
            return True
        key = record.get("pending")
        if isinstance(key, str) and _is_entry(record.get("entry")):
            self.pending[key] = record["entry"]
            return True
        return "opened" in record

    def save(self) -> None:
        """Compact: write the whole state atomically, then drop the journal it includes.

        A crash between the two replays the journal onto a state that has it already,
        which changes nothing.
        """
        self.close()
        document = {"version": STATE_VERSION, "delivered": self.delivered, "pending": self.pending}
        write_atomic(self.path, json.dumps(document, ensure_ascii=False, indent=1).encode())
        self.journal.unlink(missing_ok=True)

    def open(self) -> None:
        """Compact and start a journal, before anything is sent: a state that cannot be
        written must stop the run here, not after a message has gone out unrecorded."""
        try:
            self.save()
            umask = os.umask(0)
            os.umask(umask)
            flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_CLOEXEC", 0)
            self._journal = os.open(self.journal, flags, 0o666 & ~umask)
            self._append({"opened": now()}, sync=True)
        except (OSError, LedgerWriteError) as error:
            self.close()
            reason = error.__cause__ if isinstance(error, LedgerWriteError) else error
            why = write_reason_zh(reason) if isinstance(reason, OSError) else None
            if why is None:  # the journal did not open: no system reason, only ours
                why = error.zh if isinstance(error, LedgerWriteError) else str(reason)
            raise ConfigError(
                f"the reminder state {self.path} cannot be written ({reason}); nothing was sent: "
                f"make {self.path.parent} writable and free some space, or choose another --state",
                zh=f"提醒记录 {self.path} 写不进去({why}),什么也没发送:"
                f"请让 {self.path.parent} 可以写入并腾出一些磁盘空间,或者用 --state 换一个位置",
            ) from None

    def close(self) -> None:
        if self._journal is not None:
            with contextlib.suppress(OSError):
                os.fsync(self._journal)
            with contextlib.suppress(OSError):
                os.close(self._journal)
            self._journal = None

    def mark_delivered(self, key: str, at: str) -> None:
        """Written and flushed to disk before the next message goes: at most one repeats."""
        self._append({"delivered": key, "at": at}, sync=True)
        self.delivered[key] = at
        self.pending.pop(key, None)

    def mark_pending(self, key: str, entry: dict[str, Any]) -> None:
        """Written at once (a killed process loses nothing), flushed to disk within a second
        or with the next delivery: losing one to a power cut sends nothing twice, and a
        channel that is down fails thousands of messages a second."""
        self._append({"pending": key, "entry": entry}, sync=time.monotonic() >= self._sync_by)
        self.pending[key] = entry

    def _append(self, record: dict[str, Any], *, sync: bool) -> None:
        """One line (ASCII: any text survives), in the file before the next message goes."""
        if self._journal is None:
            raise LedgerWriteError(
                f"the reminder journal {self.journal} is not open",
                zh=f"提醒流水记录 {self.journal} 没有打开",
            )
        line = json.dumps(record, ensure_ascii=True).encode() + b"\n"
        try:
            while line:
                line = line[os.write(self._journal, line) :]
            if sync:
                os.fsync(self._journal)
                self._sync_by = time.monotonic() + 1.0
        except OSError as error:
            raise LedgerWriteError(
                f"the reminder state {self.path} cannot be written ({error}); "
                "stopped sending, so that nothing goes out unrecorded (the last message sent "
                f"may go again next time): make {self.path.parent} writable and free some space",
                zh=f"提醒记录 {self.path} 写不进去({write_reason_zh(error)});"
                "为了不发出没有记录的提醒,已停止发送(最后发出的一条下次可能会再发一遍):"
                f"请让 {self.path.parent} 可以写入,并腾出一些磁盘空间",
            ) from error

    def forget(self, *, as_of: dt.date) -> None:
        """Drop records of days long past, and stop retrying messages that have gone stale."""
        delivered = (as_of - dt.timedelta(days=60)).isoformat()
        pending = (as_of - dt.timedelta(days=PENDING_DAYS)).isoformat()
        self.delivered = {k: v for k, v in self.delivered.items() if k[:10] >= delivered}
        self.pending = {k: v for k, v in self.pending.items() if k[:10] >= pending}


def _well_formed(raw: Any) -> bool:
    """Whether a state document has the version and the shape that Ledger.save writes."""
    if not isinstance(raw, dict) or raw.get("version") != STATE_VERSION:
        return False
    delivered, pending = raw.get("delivered", {}), raw.get("pending", {})
    if not isinstance(delivered, dict) or not isinstance(pending, dict):
        return False
    if not all(isinstance(v, str) for v in delivered.values()):
        return False
    return all(_is_entry(entry) for entry in pending.values())


def _is_entry(entry: Any) -> bool:
    """A pending entry as ``deliver`` writes it: what retrying and reporting it reads."""
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("channel"), str)
        and _is_message(entry.get("message"))
    )


def _is_message(message: Any) -> bool:
    return (
        isinstance(message, dict)
        and all(isinstance(message.get(k), str) for k in ("key", "subject", "body"))
        and _is_person(message.get("recipient"))
        and isinstance(message.get("cc"), list)
        and all(_is_person(p) for p in message["cc"])
    )


def _is_person(person: Any) -> bool:
    return (
        isinstance(person, dict)
        and isinstance(person.get("name"), str)
        and isinstance(person.get("address"), str | None)
        and isinstance(person.get("unit"), str)
    )


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """One remind at a time per state file: two overlapping cron runs must not both send."""
    lock = path.with_name(path.name + ".lock")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = lock.open("a", encoding="utf-8")
    except OSError as error:
        raise ConfigError(
            f"the reminder state {path} cannot be written ({error}); nothing was sent: "
            f"make {path.parent} a writable folder, or choose another --state",
            zh=f"提醒记录 {path} 写不进去({write_reason_zh(error)}),什么也没发送:"
            f"请让 {path.parent} 成为可以写入的文件夹,或者用 --state 换一个位置",
        ) from None
    with handle:
        try:
            import fcntl
        except ImportError:  # Windows: no advisory locks; cron runs there are rare
            yield
            return
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise RemindBusyError(
                f"another `checklist remind` is running (lock {handle.name})",
                zh=f"另一个 `checklist remind` 正在运行(锁文件 {handle.name}),这次什么也没发送",
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
