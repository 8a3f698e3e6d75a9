"""One error hierarchy, caught once at the CLI boundary and mapped to an exit code."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from checklist.model import Problem

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
# A reader (head, less) closed the pipe: what a shell reports for a tool SIGPIPE stopped.
EXIT_PIPE = 141


class ChecklistError(Exception):
    """A failure the user can act on; ``str(error)`` is the whole message."""

    exit_code = EXIT_USAGE


class UsageError(ChecklistError):
    """The command line asks for something that cannot be done."""


class ConfigError(ChecklistError):
    """``campaign.toml`` is missing or broken; ``problems`` say where."""

    def __init__(
        self, message: str, problems: Sequence[Problem] = (), *, lang: str | None = None
    ) -> None:
        super().__init__(message)
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
