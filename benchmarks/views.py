"""Time the wall chart and the ledger with and without liaison groups on a generated city.

    python benchmarks/views.py [--units 10000] [--repeat 3]

The city of ``generate.py`` gets the five liaison groups of ``groups.py``; a copy of it
keeps its campaign.toml without ``[[groups]]``, so the difference is the groups' section
of the page and the 联络组 sheet. (A campaign.toml elsewhere, with ``--config``, would not
do: the cache refuses a folder inside the campaign's.) Each command runs as a whole
process, warm cache; the median wall-clock time, the largest peak RSS (GNU time) and the
size of the file written are printed.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from groups import _groups  # noqa: E402 (the five groups of benchmarks/groups.py)


def _run(args: list[str], env: dict[str, str]) -> tuple[float, int]:
    command = ["/usr/bin/time", "-f", "%M", sys.executable, "-m", "checklist", *args]
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
    with tempfile.TemporaryDirectory(prefix="checklist-views-") as folder:
        city = Path(folder) / "city"
        generate = [sys.executable, str(HERE / "generate.py"), "--units", str(options.units)]
        subprocess.run([*generate, "--seed", "1", str(city)], check=True, capture_output=True)
        config = city / "campaign.toml"
        plain = Path(folder) / "plain"
        shutil.copytree(city, plain)
        codes = re.findall(r'^code = "(.*)"', config.read_text("utf-8"), re.MULTILINE)
        config.write_text(config.read_text("utf-8") + _groups(codes), "utf-8")
        env = os.environ | {
            "CHECKLIST_CACHE_DIR": str(Path(folder) / "cache"),
            "CHECKLIST_AS_OF": "2023-11-20",
        }
        out = Path(folder) / "out"
        out.mkdir()
        cases = []
        for label, where in (("groups", city), ("no groups", plain)):
            warm = [sys.executable, "-m", "checklist", "validate", str(where)]
            subprocess.run(warm, env=env, check=False, capture_output=True)
            for command, suffix in (("chart", "html"), ("export", "xlsx")):
                target = out / f"{command}-{len(cases)}.{suffix}"
                cases.append(
                    (
                        f"{command} ({label})",
                        [command, str(where), "-o", str(target)],
                        target,
                    )
                )
        print(f"{options.units} units, median of {options.repeat}, warm cache")
        for name, args, target in cases:
            runs = [_run(args, env) for _ in range(options.repeat)]
            median = statistics.median(t for t, _ in runs)
            size = target.stat().st_size / 1024
            print(
                f"  {name:<22} {median:6.2f} s  {max(m for _, m in runs) / 1024:6.0f} MB"
                f"  {size:8.0f} KB"
            )


if __name__ == "__main__":
    main()
