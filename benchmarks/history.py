"""Time the history commands on a generated city with a scripted git history (issue 15).

    python benchmarks/history.py [--units 10000] [--commits 60] [--per-commit 150]
                                 [--repeat 3] [--out DIR]

The campaign comes from generate.py (one seed, one output); its first commit holds every
file, and each later commit, one a day up to the report day 2023-11-20, marks
``--per-commit`` open tasks done (one in five back-dated by ten days) and moves one in
ten of those files' due dates silently. Each command runs as a whole process; the table
shows the first run and the median of the warm ones (the operating system's caches full).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
AS_OF = "2023-11-20"
FIRST = dt.date(2023, 9, 10)
_OPEN = re.compile(r"^due = (\d{4}-\d\d-\d\d)\n(?!done)", re.M)


def _git(repo: Path, *args: str, day: dt.date | None = None) -> str:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1"}
    if day is not None:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"{day}T18:00:00+08:00"
    done = subprocess.run(
        ["git", "-c", "user.name=bench", "-c", "user.email=b@example.cn", *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def _change(text: str, day: dt.date, rng: random.Random) -> str:
    """Mark one open task done on ``day`` (or ten days before), sometimes moving a due date."""
    blocks = text.split("\n\n")
    open_ = [i for i, b in enumerate(blocks) if b.startswith("[[") and _OPEN.search(b + "\n")]
    if not open_:
        return text
    i = rng.choice(open_)
    done = day - dt.timedelta(days=10) if rng.random() < 0.2 else day
    blocks[i] = _OPEN.sub(lambda m: f"{m[0]}done = {done}\n", blocks[i] + "\n", count=1)[:-1]
    others = [j for j in open_ if j != i]
    if others and rng.random() < 0.1:
        j = rng.choice(others)
        due = dt.date.fromisoformat(_OPEN.search(blocks[j] + "\n")[1])  # type: ignore[index]
        moved = min(due + dt.timedelta(days=7), dt.date(2024, 1, 31))
        blocks[j] = blocks[j].replace(f"due = {due}", f"due = {moved}", 1)
    return "\n\n".join(blocks)


def build(folder: Path, *, units: int, commits: int, per_commit: int) -> None:
    """The city, and its history: one commit with every file, then one a day."""
    subprocess.run(
        [
            sys.executable,
            str(HERE / "generate.py"),
            "--units",
            str(units),
            "--seed",
            "1",
            str(folder),
        ],
        check=True,
        capture_output=True,
    )
    _git(folder, "init", "-q")
    _git(folder, "add", "-A")
    _git(folder, "commit", "-q", "-m", "all units", day=FIRST)
    files = sorted((folder / "units").rglob("*.toml"))
    rng = random.Random(1)
    last = dt.date.fromisoformat(AS_OF) - dt.timedelta(days=1)
    for n in range(commits - 1, 0, -1):
        day = last - dt.timedelta(days=n - 1)
        for path in rng.sample(files, per_commit):
            text = path.read_text(encoding="utf-8")
            path.write_text(_change(text, day, rng), encoding="utf-8")
        _git(folder, "add", "-A")
        _git(folder, "commit", "-q", "-m", f"updates of {day}", day=day)


def timed(folder: Path, args: list[str], repeat: int) -> tuple[float, float, float]:
    """The first run's seconds, and the warm runs' median seconds and median CPU seconds."""
    import resource

    env = {**os.environ, "CHECKLIST_AS_OF": AS_OF, "LC_ALL": "en_US.UTF-8"}
    times, cpus = [], []
    for _ in range(repeat + 1):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(
            args, cwd=folder, env=env, capture_output=True, text=True, check=False
        )
        times.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        if done.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr}")
    return times[0], statistics.median(times[1:]), statistics.median(cpus[1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--commits", type=int, default=60)
    parser.add_argument("--per-commit", type=int, default=150)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--only", action="append", default=[], help="rows whose label has this")
    options = parser.parse_args()
    folder = options.out or Path(tempfile.mkdtemp(prefix="checklist-history-"))
    if not (folder / ".git").exists():
        start = time.perf_counter()
        build(folder, units=options.units, commits=options.commits, per_commit=options.per_commit)
        print(f"built {folder} in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    cli = [sys.executable, "-m", "checklist"]
    rows = [
        ("git log --raw (whole history)", ["git", "log", "--raw", "-z", "--no-renames"]),
        ("changes --since 1w", [*cli, "changes", "--since", "1w", "--format", "json"]),
        ("changes --since 1w --until HEAD", [*cli, "changes", "--since", "1w", "--until", "HEAD"]),
        ("status --stale 14d", [*cli, "status", "--stale", "14d"]),
        ("rollup --milestones", [*cli, "rollup", "--milestones"]),
        ("rollup --as-known 2023-11-13", [*cli, "rollup", "--as-known", "2023-11-13"]),
        ("rollup --history", [*cli, "rollup", "--history"]),
    ]
    print(f"| command ({options.units} units x {options.commits} commits) | first | warm | CPU |")
    print("|---|---:|---:|---:|")
    for label, args in rows:
        if options.only and not any(part in label for part in options.only):
            continue
        first, warm, cpu = timed(folder, args, options.repeat)
        print(f"| `{label}` | {first:.2f} s | {warm:.2f} s | {cpu:.2f} s |", flush=True)


if __name__ == "__main__":
    main()
