"""Time the group and sector reports and the bulletin on a generated city (issue 16).

    python benchmarks/groups.py [--units 10000] [--repeat 3]

A generated city gets five liaison groups (one with two subgroups) over its counties;
each command runs as a whole process, warm cache, and the median wall-clock time and
the largest peak RSS (GNU time) are printed. ``rollup`` by county is the index's path,
for comparison: ``--by group|sector`` and ``--group`` read the units instead.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
COMMANDS = (
    ("rollup",),
    ("rollup", "--by", "unit"),
    ("rollup", "--by", "group"),
    ("rollup", "--by", "sector"),
    ("rollup", "--group", "二组"),
    ("bulletin", "--period", "week"),
    ("bulletin", "--by", "group"),
)


def _groups(codes: list[str]) -> str:
    parts = [("一组甲", codes[0:3]), ("一组乙", codes[3:6]), ("二组", codes[6:12])]
    parts.append(("三组", codes[12:]))
    text = '\n[[groups]]\nname = "一组"\ncontact = "赵 <z@example.cn>"\n'
    text += 'subgroups = ["一组甲", "一组乙"]\n'
    for name, mine in parts:
        listed = ", ".join(f'"{c}"' for c in mine)
        text += f'\n[[groups]]\nname = "{name}"\ncontact = "钱"\ncounties = [{listed}]\n'
    return text


def _run(args: tuple[str, ...], city: Path, env: dict[str, str]) -> tuple[float, int]:
    command = ["/usr/bin/time", "-f", "%M", sys.executable, "-m", "checklist", *args, str(city)]
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    took = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(args)}: exit {done.returncode}\n{done.stderr}")
    return took, int(done.stderr.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="checklist-groups-") as folder:
        city = Path(folder) / "city"
        generate = [sys.executable, str(HERE / "generate.py"), "--units", str(options.units)]
        subprocess.run([*generate, "--seed", "1", str(city)], check=True, capture_output=True)
        config = city / "campaign.toml"
        codes = re.findall(r'^code = "(.*)"', config.read_text("utf-8"), re.MULTILINE)
        config.write_text(config.read_text("utf-8") + _groups(codes), "utf-8")
        env = os.environ | {
            "CHECKLIST_CACHE_DIR": str(Path(folder) / "cache"),
            "CHECKLIST_AS_OF": "2023-11-20",
        }
        warm = [sys.executable, "-m", "checklist", "validate", str(city)]
        subprocess.run(warm, env=env, check=False, capture_output=True)
        print(f"{options.units} units, median of {options.repeat}, warm cache")
        for args in COMMANDS:
            runs = [_run(args, city, env) for _ in range(options.repeat)]
            median = statistics.median(t for t, _ in runs)
            print(
                f"  {' '.join(args):<28} {median:6.2f} s  {max(m for _, m in runs) / 1024:6.0f} MB"
            )


if __name__ == "__main__":
    main()
