"""Time `checklist trend` on a generated campaign, as a multiple of a tomllib-only parse.

    python benchmarks/trend.py [PATH] [--repeat N]

PATH is a campaign folder (default: a 10,000-unit city generated once under the temp
folder, as benchmarks/run.py does). Prints, each as the median of N runs:

- the tomllib baseline (benchmarks/baseline.py, a whole process);
- `checklist trend` warm (cache filled by an untimed run) for --every day, week and dekad,
  and `rollup` warm beside it (whole processes: start-up and loading count);
- in this process, the trend's own pass over the occurrences (the units already loaded),
  every day from the start to the end of the campaign, and the same done the slow way,
  with one status.items per day, for a week of days.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT = Path(tempfile.gettempdir()) / "checklist-bench" / "trend-city-10000"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", type=Path, nargs="?", default=DEFAULT)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    path: Path = args.path
    if not (path / "campaign.toml").exists():
        command = [sys.executable, str(HERE / "generate.py"), "--units", "10000", "--seed", "1"]
        subprocess.run([*command, str(path)], check=True, stdout=subprocess.DEVNULL)
    env = os.environ | {
        "CHECKLIST_AS_OF": "2024-01-31",
        "CHECKLIST_CACHE_DIR": str(path) + ".cache",
    }
    checklist = [sys.executable, "-m", "checklist"]

    def process(*words: str) -> Callable[[], object]:
        return lambda: subprocess.run(
            [*words, str(path)], env=env, stdout=subprocess.DEVNULL, check=True
        )

    base = median(process(sys.executable, str(HERE / "baseline.py")), args.repeat)
    print(f"{'baseline (tomllib)':<34} {base:7.3f} s")
    process(*checklist, "validate")()  # fills the cache: the runs below are warm
    for label, words in (
        ("rollup (warm)", ("rollup",)),
        ("trend --every week (warm)", ("trend",)),
        ("trend --every dekad (warm)", ("trend", "--every", "dekad")),
        ("trend --every day (warm)", ("trend", "--every", "day")),
        ("trend --every day --by unit (warm)", ("trend", "--every", "day", "--by", "unit")),
        ("trend --every day -f json (warm)", ("trend", "--every", "day", "-f", "json")),
    ):
        seconds = median(process(*checklist, *words), args.repeat)
        print(f"{label:<34} {seconds:7.3f} s  {seconds / base:5.2f}× the baseline")
    core(path, env, args.repeat)
    return 0


def core(path: Path, env: dict[str, str], repeat: int) -> None:
    """The one pass against classify-per-day, both on units already loaded and checked."""
    os.environ.update(env)
    from checklist.load.campaign import load_campaign
    from checklist.load.validate import validate
    from checklist.status import items
    from checklist.trend import Every, occurrences, sample_days, trend

    campaign = load_campaign(path / "campaign.toml")
    files = sorted(str(p) for p in path.rglob("*.toml") if p.name != "campaign.toml")
    results = validate([Path(f) for f in files], campaign=campaign, today=campaign.end).results
    units = [r.unit for r in results if r.unit is not None]
    as_of = campaign.end
    listed = list(items(units, campaign=campaign, as_of=as_of))
    days = sample_days(campaign.start, as_of, Every.DAY)
    expand = median(lambda: list(items(units, campaign=campaign, as_of=as_of)), repeat)
    one_pass = median(lambda: trend(occurrences(listed), days=days), repeat)
    week = days[:7]
    per_day = median(lambda: [list(items(units, campaign=campaign, as_of=d)) for d in week], 1)
    print(f"{len(listed):,} occurrences, {len(days)} days")
    print(f"{'  status.items (once)':<34} {expand:7.3f} s")
    print(f"{'  trend, one pass, every day':<34} {one_pass:7.3f} s")
    print(
        f"{'  status.items per day (7 days)':<34} {per_day:7.3f} s"
        f"  (×{len(days) / 7:.0f} for the campaign: {per_day * len(days) / 7:.1f} s)"
    )


def median(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


if __name__ == "__main__":
    sys.exit(main())
