"""The floor of issue 6: find every *.toml under PATH and parse it with tomllib, nothing else.

    python benchmarks/baseline.py PATH

Whatever checklist does beyond this (rules, dates, tables) is its own cost; the benchmark
reports each command as a multiple of this script's time.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path


def parse_all(root: Path) -> int:
    """Read, decode and parse every TOML file below root; return how many there were."""
    count = 0
    for path in root.rglob("*.toml"):
        tomllib.loads(path.read_bytes().decode("utf-8"))
        count += 1
    return count


if __name__ == "__main__":
    print(parse_all(Path(sys.argv[1])))
