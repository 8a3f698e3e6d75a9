"""What ``shift`` costs (issue 17): status with every repeating task moved off rest days.

    python benchmarks/shift.py CITY      # a campaign written by benchmarks/generate.py

Copies CITY twice, both with [calendar] country = "CN"; in one, every repeating task says
shift = "after". Runs ``status --all -f json`` cold (--no-cache: every unit built and
expanded) and warm (from the index), median of 5 whole processes; counts the occurrences
and the moved ones, and checks that the cold and warm answers are the same.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPEAT = 5
ARGS = ["status", "--all", "--format", "json"]


def _time(args: list[str], env: dict[str, str]) -> float:
    runs = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        subprocess.run(args, env=env, check=False, stdout=subprocess.DEVNULL)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def _answer(args: list[str], env: dict[str, str]) -> list[tuple[str, str, str, str]]:
    out = subprocess.run(args, env=env, check=False, capture_output=True, text=True).stdout
    tasks = json.loads(out)["tasks"]
    return sorted((t["unit"], t["title"], t["due"], t["state"]) for t in tasks)


def main() -> None:
    city = Path(sys.argv[1])
    env = os.environ | {"CHECKLIST_AS_OF": "2023-11-20"}
    repeat = re.compile(r"^(repeat = .*)$", re.MULTILINE)
    with tempfile.TemporaryDirectory() as scratch:
        kept, moved = Path(scratch) / "none", Path(scratch) / "after"
        for folder in (kept, moved):
            shutil.copytree(city, folder)
            toml = folder / "campaign.toml"
            toml.write_text(toml.read_text("utf-8") + '\n[calendar]\ncountry = "CN"\n', "utf-8")
        for path in moved.rglob("*.toml"):
            text = path.read_text("utf-8")
            if "repeat = " in text:
                path.write_text(repeat.sub(r'\1\nshift = "after"', text), "utf-8")
        env["CHECKLIST_CACHE_DIR"] = str(Path(scratch) / "cache")
        units = sum(1 for _ in city.rglob("*.toml")) - 1
        base = [sys.executable, "-m", "checklist", *ARGS]
        answers = {}
        for folder in (kept, moved):
            cold = _answer([*base, str(folder), "--no-cache"], env)
            warm = _answer([*base, str(folder)], env)  # fills the index
            warm = _answer([*base, str(folder)], env)  # reads it
            assert cold == warm, f"{folder.name}: cold and warm answers differ"
            answers[folder.name] = cold
        before, after = answers["none"], answers["after"]
        print(f"{units} units; {len(before)} tasks and occurrences without shift, {len(after)}")
        print(f"  with shift = 'after' (merged: {len(before) - len(after)}); cold == warm: yes")
        print(f"median of {REPEAT} runs, seconds")
        print(f"{'path':<6} {'none':>7} {'after':>7}")
        for path, extra in (("cold", ["--no-cache"]), ("warm", [])):
            times = [_time([*base, str(folder), *extra], env) for folder in (kept, moved)]
            print(f"{path:<6} {times[0]:>7.2f} {times[1]:>7.2f}")


if __name__ == "__main__":
    main()
