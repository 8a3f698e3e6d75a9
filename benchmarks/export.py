"""Time `checklist export` on a generated city: the whole process, then where the time goes.

    python benchmarks/export.py [--units 10000] [--repeat 3] [--path DIR]

The campaign is generated once (benchmarks/generate.py, seed 1) and the cache filled
by an untimed `rollup`, so the rows compare with the warm rows of benchmarks/run.py.
Peak RSS comes from GNU time, as there (see run.py for why not wait4).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
GNU_TIME = Path("/usr/bin/time")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--path", type=Path, default=None)
    args = parser.parse_args()
    city = args.path or Path(tempfile.gettempdir()) / f"checklist-export-{args.units}"
    if not (city / "campaign.toml").exists():
        generate = [sys.executable, str(HERE / "generate.py"), "--units", str(args.units)]
        subprocess.run([*generate, "--seed", "1", str(city)], check=True)
    env = os.environ | {
        "CHECKLIST_AS_OF": "2023-11-20",
        "CHECKLIST_CACHE_DIR": str(city.with_name(city.name + "-cache")),
    }
    checklist = str(Path(sys.executable).with_name("checklist"))
    target = city.with_name(city.name + ".xlsx")
    subprocess.run([checklist, "rollup", str(city)], env=env, capture_output=True, check=True)
    for label, command in (
        ("rollup (warm)", [checklist, "rollup", str(city)]),
        ("export (warm)", [checklist, "export", str(city), "-o", str(target)]),
    ):
        seconds, peaks = [], []
        for _ in range(args.repeat):
            timed = [str(GNU_TIME), "-f", "%M", *command] if GNU_TIME.exists() else command
            start = time.perf_counter()
            done = subprocess.run(timed, env=env, capture_output=True, text=True, check=True)
            seconds.append(time.perf_counter() - start)
            last = done.stderr.strip().splitlines()[-1:] if GNU_TIME.exists() else []
            peaks.append(int(last[0]) / 1024 if last and last[0].isdigit() else float("nan"))
        print(f"{label:16} {statistics.median(seconds):6.2f} s  {max(peaks):5.0f} MB")
    print(f"workbook: {target.stat().st_size / 1e6:.1f} MB")
    phases(city, env)


def phases(city: Path, env: dict[str, str]) -> None:
    """One export in this process, phase by phase."""
    os.environ.update(env)
    from checklist.cli.scope import open_scope
    from checklist.render.ledger import ledger_sheets
    from checklist.render.xlsx import Heading, workbook_bytes
    from checklist.rollup import rollup_units
    from checklist.status import listed

    params = {"lang": None, "paths": [str(city)], "follow_outside": False, "config": None}
    start = time.perf_counter()
    scope = open_scope(params | {"as_of": None, "no_cache": False})
    loaded = time.perf_counter()
    selected = scope.items(soon=7)
    result = rollup_units(
        scope.units, campaign=scope.campaign, as_of=scope.as_of, soon=7, filters=scope.filters
    )
    pressing = listed(selected, campaign=scope.campaign, everything=False, soon=True)
    sheets = ledger_sheets(result, selected, pressing, scope.campaign, scope.lang)
    built = time.perf_counter()
    data = workbook_bytes(sheets, Heading(scope.campaign.name, scope.as_of, scope.lang))
    written = time.perf_counter()
    cells = sum(len(s.rows) * len(s.fields) for s in sheets)
    print(
        f"phases: load {loaded - start:.2f} s, items and rows {built - loaded:.2f} s, "
        f"workbook {written - built:.2f} s ({cells:,} cells, {len(data) / 1e6:.1f} MB)"
    )


if __name__ == "__main__":
    main()
