"""Time every command on every hostile file of tests/test_time_bombs.py (issue 9).

    python benchmarks/hostile.py [--only SUBSTRING] [--timeout SECONDS] [--src SRC]

Each file sits in a campaign of its own next to one ordinary unit, as in the test; each
command runs as a whole process with a cold cache. The table has one row per file and one
column per command (the edits twice: on the ordinary unit, then on the hostile file), in
seconds; a cell is the exit code instead when it is not 0, 1 or 2, and "hang" past the
timeout. The slowest runs are listed at the end. Numbers, no verdicts: the test asserts
that everything finishes.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1] / "tests"
sys.path.insert(0, str(TESTS))

from test_time_bombs import COMMANDS, _campaign, corpus  # noqa: E402

# The edits once more, on the hostile file itself ({file}): the test leaves them out, as
# tomlkit takes seconds on some of these files (bounded, but too slow for the test suite).
ON_FILE: tuple[tuple[str, ...], ...] = (
    ("done", "{file}", "institutions", "1", "--dry-run"),
    ("postpone", "{file}", "research", "--to", "2023-12-15", "--reason", "x", "--dry-run"),
    ("reopen", "{file}", "institutions", "1", "--dry-run"),
)


def main(argv: list[str] | None = None) -> int:
    """Build each campaign, time each command on it, print the table and the worst times."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="", help="only files whose name contains this")
    parser.add_argument("--timeout", type=float, default=120, help="seconds before a hang")
    parser.add_argument("--src", type=Path, help="measure the package in this src folder")
    args = parser.parse_args(argv)
    env = {**os.environ, "CHECKLIST_AS_OF": "2023-11-20", "NO_COLOR": "1"}
    if args.src is not None:
        env["PYTHONPATH"] = str(args.src.resolve())
    commands = (*COMMANDS, *ON_FILE)
    labels = [" ".join(c[: 2 if c[1].startswith("-") else 1]) for c in COMMANDS]
    labels += [f"{c[0]} (file)" for c in ON_FILE]
    print(f"{'file':32}" + "".join(f"{label[:11]:>12}" for label in labels), flush=True)
    timings: list[tuple[float, str, str]] = []
    with tempfile.TemporaryDirectory() as root:
        for name, text in corpus().items():
            if args.only not in name:
                continue
            folder = _campaign(Path(root), name, text)
            cells = []
            for template, label in zip(commands, labels, strict=True):
                command = tuple(a.format(file=f"units/410103/{name}") for a in template)
                cache = Path(root) / "cache"
                shutil.rmtree(cache, ignore_errors=True)
                env["CHECKLIST_CACHE_DIR"] = str(cache)
                seconds, outcome = _time(command, folder, env, args.timeout)
                timings.append((seconds, name, label))
                cells.append(f"{seconds:12.2f}" if outcome in (0, 1, 2) else f"{outcome!s:>12}")
            print(f"{name[:32]:32}" + "".join(cells), flush=True)
    print("\nslowest:")
    for seconds, name, label in sorted(timings, reverse=True)[:10]:
        print(f"  {seconds:7.2f} s  {label:18} {name}")
    return 0


def _time(
    command: tuple[str, ...], folder: Path, env: dict[str, str], timeout: float
) -> tuple[float, object]:
    start = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "checklist", *command],
            cwd=folder,
            env=env,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return time.perf_counter() - start, "hang"
    outcome: object = done.returncode
    if b"Traceback" in done.stderr or b"internal error" in done.stderr:
        outcome = f"crash {done.returncode}"
    return time.perf_counter() - start, outcome


if __name__ == "__main__":
    sys.exit(main())
