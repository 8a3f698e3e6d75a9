"""One error hierarchy, caught once at the CLI boundary and mapped to an exit code."""

from __future__ import annotations

import errno
from collections.abc import Sequence
from typing import TYPE_CHECKING, Self

if TYPE_CHECKING:
    from checklist.model import Problem

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
# A reader (head, less) closed the pipe: what a shell reports for a tool SIGPIPE stopped.
EXIT_PIPE = 141


class ChecklistError(Exception):
    """A failure the user can act on; ``str(error)`` is the whole message, ``zh`` the same
    for a clerk who reads Chinese."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, *, zh: str = "") -> None:
        super().__init__(message)
        self.zh = zh

    @classmethod
    def said(cls, key: str, /, **values: object) -> Self:
        """The error whose words are ``key`` of the catalogue (i18n), in both languages."""
        from checklist.i18n import Lang, t

        return cls(t(key, Lang.EN, **values), zh=t(key, Lang.ZH, **values))

    def speaking(self, lang: str) -> str:
        """The message in ``lang`` ("zh" or "en"); English where no Chinese was written."""
        return self.zh if lang == "zh" and self.zh else str(self)


class UsageError(ChecklistError):
    """The command line asks for something that cannot be done."""


class ConfigError(ChecklistError):
    """``campaign.toml`` is missing or broken; ``problems`` say where."""

    def __init__(
        self,
        message: str,
        problems: Sequence[Problem] = (),
        *,
        lang: str | None = None,
        zh: str = "",
    ) -> None:
        super().__init__(message, zh=zh)
        self.problems = tuple(problems)
        self.lang = lang  # the broken file's [campaign] lang, if it can be read


class BusyError(ChecklistError):
    """Another checklist command is editing the same file; trying again later will do."""


class RemindBusyError(ChecklistError):
    """Another ``checklist remind`` holds the lock of the same state file; nothing was sent."""

    exit_code = EXIT_USAGE


class EditError(ChecklistError):
    """An edit that cannot be made (it would not validate, the file changed); nothing is written."""

    exit_code = EXIT_PROBLEMS


def guess_zh(guess: str | None) -> str:
    """A did-you-mean for a Chinese message: ';是不是要写 "X"?', or nothing without a guess."""
    from checklist.words import quote

    return f";是不是要写 {quote(guess, 60)}?" if guess else ""


# Why a file cannot be written, in a clerk's words.
_WRITE_REASONS_ZH = {
    errno.ENOSPC: "磁盘满了",
    errno.EDQUOT: "磁盘空间配额用完了",
    errno.EACCES: "没有写入权限",
    errno.EPERM: "没有写入权限",
    errno.EROFS: "磁盘是只读的",
    errno.ENOENT: "文件夹不存在",
    errno.ENOTDIR: "路径中有一段不是文件夹",
    errno.EISDIR: "这是一个文件夹,不是文件",
    errno.EIO: "磁盘写入出错",
}


def write_reason_zh(error: OSError) -> str:
    """Why the system refused to write, for a clerk; its own words for a rare reason."""
    return _WRITE_REASONS_ZH.get(error.errno or 0) or f"系统提示“{error.strerror or error}”"
