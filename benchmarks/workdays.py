"""What working days cost (issue 17): status and remind counted in days and in working days.

    python benchmarks/workdays.py CITY      # a campaign written by benchmarks/generate.py

Copies CITY twice, one campaign.toml with [calendar] country = "CN" and count = "workdays",
one without; runs each command cold (--no-cache, every unit built and expanded) and warm
(from the index), median of 5 whole processes; and times building the CN calendar.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPEAT = 5
COMMANDS = (
    ("status --all -f json", ["status", "--all", "--format", "json"]),
    ("remind -f json", ["remind", "--format", "json"]),
)


def _time(args: list[str], env: dict[str, str]) -> float:
    runs = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        subprocess.run(args, env=env, check=False, stdout=subprocess.DEVNULL)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    city = Path(sys.argv[1])
    env = os.environ | {"CHECKLIST_AS_OF": "2023-11-20"}
    with tempfile.TemporaryDirectory() as scratch:
        plain, counted = Path(scratch) / "plain", Path(scratch) / "workdays"
        shutil.copytree(city, plain)
        shutil.copytree(city, counted)
        toml = counted / "campaign.toml"
        toml.write_text(
            toml.read_text("utf-8") + '\n[calendar]\ncountry = "CN"\ncount = "workdays"\n',
            "utf-8",
        )
        env["CHECKLIST_CACHE_DIR"] = str(Path(scratch) / "cache")
        units = sum(1 for _ in city.rglob("*.toml")) - 1
        print(f"{units} units; median of {REPEAT} runs, seconds")
        print(f"{'command':<24} {'path':<6} {'days':>7} {'workdays':>9}")
        base = [sys.executable, "-m", "checklist"]
        for name, args in COMMANDS:
            for path, extra in (("cold", ["--no-cache"]), ("warm", [])):
                times = []
                for folder in (plain, counted):
                    warm_up = [*base, *args, str(folder)]  # fills the index
                    subprocess.run(warm_up, check=False, env=env, stdout=subprocess.DEVNULL)
                    times.append(_time([*base, *args, str(folder), *extra], env))
                print(f"{name:<24} {path:<6} {times[0]:>7.2f} {times[1]:>9.2f}")
    code = (
        "import time; t = time.perf_counter();"
        "from checklist.model import CalendarSettings as S;"
        "from checklist.workdays import calendar_of;"
        "calendar_of(S(country='CN')); print(f'{(time.perf_counter() - t) * 1000:.1f}')"
    )
    run = [sys.executable, "-c", code]
    built = subprocess.run(run, check=False, capture_output=True, text=True, env=env)
    print(f"import chinesecalendar and build the CN calendar: {built.stdout.strip()} ms")


if __name__ == "__main__":
    main()
