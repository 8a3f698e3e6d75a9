"""Zip containers a user hands over (xlsx and ods ledgers, .docx templates), measured
before a library unpacks them: a few hundred kilobytes can unpack to gigabytes."""

from __future__ import annotations

import zipfile
from pathlib import Path


def unpacked(path: Path) -> tuple[int, int] | None:
    """How many parts the archive holds and how many bytes they declare they unpack to
    (Python's zipfile reads a part no further); None for a file that is no zip."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    return len(parts), sum(part.file_size for part in parts)
