"""Rendering: the only layer that imports rich, and only when it renders."""

from __future__ import annotations

import os
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console


def console(file: IO[str] | None = None, *, stderr: bool = False) -> Console:
    """A console that styles only a terminal, honours NO_COLOR, and never reads markup."""
    from rich.console import Console

    # rich keeps bold and underline under NO_COLOR; asking for plain means no escapes at all.
    plain = bool(os.environ.get("NO_COLOR"))
    return Console(
        file=file,
        stderr=stderr,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=True,
        color_system=None if plain else "auto",
    )
