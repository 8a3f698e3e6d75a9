"""Time checklist's commands as whole processes on generated campaigns (issue 6).

    python benchmarks/run.py [--sizes 1000,10000,100000] [--repeat N] [--out DIR] [--src SRC]

Whole processes, because that is what CI, cron and the office wait for: start-up and
imports count. Each command runs several times; the table shows the median wall-clock
time, its ratio to the tomllib baseline at that size, and the largest peak RSS.

Peak RSS comes from GNU time (``/usr/bin/time -f %M``), which forks the command from its
own small process. os.wait4 or RUSAGE_CHILDREN would be wrong here: Linux carries the
parent's peak RSS over into a child's ru_maxrss across fork/vfork and exec, so every
command would seem to need at least as much memory as this script. With worker
processes, the figure is the largest single process, not their sum.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
GENERATE = HERE / "generate.py"
BASELINE = HERE / "baseline.py"
SEED = 1
CAMPAIGN_CACHE = Path(".checklist") / "cache"
GNU_TIME = Path("/usr/bin/time")


@dataclass(frozen=True, slots=True)
class Command:
    """One row of the table: what to run and how the per-file cache must be before each run."""

    label: str
    args: tuple[str, ...]  # "{path}" stands for the campaign folder
    cache: str = "any"  # "cold": removed before each run; "warm": filled by an untimed run


@dataclass(frozen=True, slots=True)
class Sample:
    """One run of one process."""

    seconds: float
    peak_mb: float
    returncode: int
    stderr: str


@dataclass(frozen=True, slots=True)
class Row:
    """The runs of one command at one size, summarised."""

    median: float
    peak_mb: float
    failure: str | None  # the exit code and last stderr line of a failed run


def main(argv: list[str] | None = None) -> int:
    """Generate or reuse each campaign, time every command on it, print the table."""
    args = parse_args(argv)
    env = child_environment(args.out, args.src)
    compiled(args.src)
    checklist = checklist_command()
    commands = command_list(checklist, env)
    print(machine_line(checklist, env), file=sys.stderr)
    results: dict[int, dict[str, Row]] = {}
    for size in args.sizes:
        path = ensure_campaign(args.out, size)
        repeat = args.repeat or (3 if size >= 100_000 else 5)
        results[size] = {
            c.label: measure(c, path, env=env, repeat=repeat, size=size) for c in commands
        }
    print(machine_line(checklist, env))
    print()
    print(render_table(results, [c.label for c in commands]))
    print()
    for size, rows in results.items():
        print(baseline_line(args.out, size, rows["baseline (tomllib)"]))
    return 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line: sizes, repeats and where the campaigns live."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        type=lambda text: [int(part) for part in text.split(",")],
        default=[1000, 10_000],
        help="unit counts, comma-separated (default 1000,10000)",
    )
    parser.add_argument(
        "--repeat", type=int, default=None, help="runs per command (default 5; 3 from 100000)"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(tempfile.gettempdir()) / "checklist-bench",
        help="where the generated campaigns are kept and reused",
    )
    parser.add_argument(
        "--src",
        type=Path,
        help="measure the checklist package in this folder instead of the installed one "
        "(e.g. an earlier commit: git archive COMMIT src | tar -x -C DIR, then DIR/src)",
    )
    return parser.parse_args(argv)


def child_environment(out: Path, src: Path | None) -> dict[str, str]:
    """The commands' environment: one report day, no colour, a cache of their own."""
    env = {**os.environ, "CHECKLIST_AS_OF": "2023-11-20", "NO_COLOR": "1"}
    # The benchmark's cache lives (and is cleared) under --out, never in the user's.
    env["CHECKLIST_CACHE_DIR"] = str(out.resolve() / "cache")
    # As installed: bytecode written once and used (pip writes it), never every module
    # compiled from source on every run, which PYTHONDONTWRITEBYTECODE would make so.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if src is not None:
        env["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(src.resolve()), env.get("PYTHONPATH")])
        )
    return env


def compiled(src: Path | None) -> None:
    """The package's bytecode written before anything is timed, as pip writes it when it
    installs: a first run would otherwise compile every module it imports (50 ms)."""
    import importlib.util

    if src is None:
        spec = importlib.util.find_spec("checklist")
        locations = spec.submodule_search_locations if spec else None
        if not locations:
            return
        src = Path(next(iter(locations)))
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(src)], check=True)


def checklist_command() -> list[str]:
    """The checklist next to the running Python, else ``python -m checklist``."""
    script = Path(sys.executable).with_name("checklist")
    return [str(script)] if script.exists() else [sys.executable, "-m", "checklist"]


def command_list(checklist: list[str], env: dict[str, str]) -> list[Command]:
    """The rows: start-up, the baseline, then the commands the office runs."""
    commands = [
        Command("checklist --version", (*checklist, "--version")),
        Command("baseline (tomllib)", (sys.executable, str(BASELINE), "{path}")),
        Command("validate (cold)", (*checklist, "validate", "{path}"), "cold"),
        Command("validate (warm)", (*checklist, "validate", "{path}"), "warm"),
    ]
    if supports_no_cache(checklist, env):
        # Neither reads nor writes the cache: the cost of the checks themselves.
        commands.append(
            Command("validate --no-cache", (*checklist, "validate", "--no-cache", "{path}"))
        )
    trend = subprocess.run(
        [*checklist, "trend", "--help"], env=env, capture_output=True, check=False
    )
    if trend.returncode == 0:  # versions before issue 12 have no trend
        every_day = (*checklist, "trend", "--every", "day", "{path}")
        commands.append(Command("trend --every day (warm)", every_day, "warm"))
    return [
        *commands,
        Command("status (cold)", (*checklist, "status", "{path}"), "cold"),
        Command("status (warm)", (*checklist, "status", "{path}"), "warm"),
        Command("rollup (warm)", (*checklist, "rollup", "{path}"), "warm"),
        Command(
            "remind --format json (warm)",
            (*checklist, "remind", "--format", "json", "{path}"),
            "warm",
        ),
    ]


def supports_no_cache(checklist: list[str], env: dict[str, str]) -> bool:
    """Whether this checklist knows --no-cache (versions before the cache do not)."""
    result = subprocess.run(
        [*checklist, "validate", "--help"], capture_output=True, text=True, env=env, check=False
    )
    return "--no-cache" in result.stdout


def ensure_campaign(out: Path, size: int) -> Path:
    """The campaign of this size under out; generated again if missing or from another generator."""
    folder = out / f"campaign-{size}"
    stamp = out / f"campaign-{size}.json"
    wanted = {"units": size, "seed": SEED, "generator": file_digest(GENERATE)}
    if stamp.exists() and folder.exists() and json.loads(stamp.read_text()) == wanted:
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    command = [sys.executable, str(GENERATE), "--units", str(size), "--seed", str(SEED)]
    subprocess.run([*command, str(folder)], check=True, stdout=subprocess.DEVNULL)
    print(f"generated {folder} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    stamp.write_text(json.dumps(wanted))
    return folder


def file_digest(path: Path) -> str:
    """A short hash of a file, to notice a changed generator."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def measure(command: Command, path: Path, *, env: dict[str, str], repeat: int, size: int) -> Row:
    """Run a command ``repeat`` times in the cache state it asks for; summarise the runs."""
    args = [arg.replace("{path}", str(path)) for arg in command.args]
    if command.cache == "warm":
        run_once(args, env)  # fills the cache (and the OS page cache)
    samples = []
    for _ in range(repeat):
        if command.cache == "cold":
            clear_caches(path, env)
        samples.append(run_once(args, env))
    row = summarise(samples)
    note = f"  FAILED: {row.failure}" if row.failure else ""
    print(f"{size:>7,} units  {command.label:<28} {row.median:8.3f} s{note}", file=sys.stderr)
    return row


def clear_caches(path: Path, env: dict[str, str]) -> None:
    """Remove every cache checklist may keep: in the campaign folder, or in its cache folder."""
    shutil.rmtree(path / CAMPAIGN_CACHE, ignore_errors=True)
    shutil.rmtree(env["CHECKLIST_CACHE_DIR"], ignore_errors=True)


def run_once(args: list[str], env: dict[str, str]) -> Sample:
    """Run one process to its end: wall-clock seconds, peak RSS, exit code, stderr."""
    with tempfile.TemporaryDirectory() as scratch:
        peak_file, stderr_file = Path(scratch) / "peak", Path(scratch) / "stderr"
        if GNU_TIME.exists():
            args = [str(GNU_TIME), "-f", "%M", "-o", str(peak_file), *args]
        with stderr_file.open("wb") as stderr:
            started = time.perf_counter()
            result = subprocess.run(
                args, stdout=subprocess.DEVNULL, stderr=stderr, env=env, check=False
            )
            seconds = time.perf_counter() - started
        # GNU time writes the KiB last, after a line about a failed command's status.
        lines = peak_file.read_text().split() if peak_file.exists() else []
        peak_mb = int(lines[-1]) * 1024 / 1e6 if lines else float("nan")
        text = stderr_file.read_text(encoding="utf-8", errors="replace")
    return Sample(seconds, peak_mb, result.returncode, text)


def summarise(samples: list[Sample]) -> Row:
    """The median time, the largest peak, and the first failure if any run failed."""
    failed = [s for s in samples if s.returncode != 0]
    failure = None
    if failed:
        last_line = (failed[0].stderr.strip().splitlines() or [""])[-1]
        failure = f"exit {failed[0].returncode}: {last_line}"
    return Row(
        statistics.median(s.seconds for s in samples), max(s.peak_mb for s in samples), failure
    )


def render_table(results: dict[int, dict[str, Row]], labels: list[str]) -> str:
    """A Markdown table: one row per command, three columns per size."""
    header = ["command"]
    for size in results:
        header += [f"{size:,} s", f"{size:,} ×base", f"{size:,} MB"]
    lines = ["| " + " | ".join(header) + " |", "|---" + "|---:" * (len(header) - 1) + "|"]
    for label in labels:
        cells = [label]
        for rows in results.values():
            row, base = rows[label], rows["baseline (tomllib)"].median
            seconds = format_seconds(row.median) + (" (failed)" if row.failure else "")
            peak = "n/a" if math.isnan(row.peak_mb) else f"{row.peak_mb:.0f}"
            cells += [seconds, f"{row.median / base:.1f}", peak]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def format_seconds(seconds: float) -> str:
    """Three significant figures, enough for medians of a few runs."""
    return (
        f"{seconds:.3f}" if seconds < 1 else f"{seconds:.2f}" if seconds < 10 else f"{seconds:.1f}"
    )


def baseline_line(out: Path, size: int, row: Row) -> str:
    """What the baseline did at one size: files, megabytes, seconds."""
    files = list((out / f"campaign-{size}").rglob("*.toml"))
    megabytes = sum(f.stat().st_size for f in files) / 1e6
    return (
        f"- {size:,} units: baseline parses {len(files):,} files ({megabytes:.1f} MB) "
        f"in {row.median:.2f} s"
    )


def machine_line(checklist: list[str], env: dict[str, str]) -> str:
    """Where and when the numbers were taken: CPUs, CPU model, Python, checklist, date."""
    version = subprocess.run(
        [*checklist, "--version"], capture_output=True, text=True, env=env, check=False
    ).stdout.strip()
    source = f" from {env['PYTHONPATH']}" if "PYTHONPATH" in env else ""
    return (
        f"Machine: {len(os.sched_getaffinity(0))} CPUs ({cpu_model()}), "
        f"Python {platform.python_version()}, {version}{source}, {dt.date.today().isoformat()}"
    )


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo, where there is one."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


if __name__ == "__main__":
    sys.exit(main())
