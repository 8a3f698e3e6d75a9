"""Where checking one unit file goes (issue 12): microseconds a file, stage by stage.

    python benchmarks/check_parts.py CITY [--files 3000] [--src DIR]

One process, no pool, the files read beforehand: decoding, parsing, shaping, the context
the rules read, each unit rule in the registry's order, locating the findings; then the
whole of ``check_unit(build=False)`` (what a cold validate runs in its workers) and of
``check_file`` (the same with reading and naming the file). Best of 5 passes, so a busy
machine disturbs it less. ``--src`` times another version's ``checklist`` package (a
``git archive COMMIT src | tar -x`` folder's src), for a before and after.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

TODAY = dt.date(2023, 11, 20)
PASSES = 5


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("city", type=Path)
    parser.add_argument("--files", type=int, default=3000)
    parser.add_argument("--src", type=Path, help="the folder holding the checklist package")
    args = parser.parse_args(argv)
    if args.src:
        sys.path.insert(0, str(args.src.resolve()))
    from checklist.load.campaign import load_campaign

    city = args.city.resolve()
    campaign = load_campaign(city / "campaign.toml")
    paths = sorted((city / "units").rglob("*.toml"))[: args.files]
    files = [(str(path), path.read_bytes()) for path in paths]
    best = _stages(files, campaign)
    width = max(map(len, best))
    for name, seconds in sorted(best.items(), key=lambda kv: -kv[1]):
        print(f"{name:<{width}}  {seconds / len(files) * 1e6:6.1f} us")
    print(f"{'sum of the stages':<{width}}  {sum(best.values()) / len(files) * 1e6:6.1f} us")
    whole = _whole(files, campaign)
    for name, seconds in whole.items():
        print(f"{name:<{width}}  {seconds / len(files) * 1e6:6.1f} us")
    return 0


def _stages(files: list[tuple[str, bytes]], campaign: Any) -> dict[str, float]:
    from pathlib import PurePath

    from checklist.load import check
    from checklist.load.due import relocate, resolve_workdays
    from checklist.load.pinpoint import pinpoint
    from checklist.load.schema import unit_schema
    from checklist.load.shape import shape
    from checklist.load.source import BOM, decode, parse
    from checklist.rules.context import Context, entries
    from checklist.rules.registry import unit_checks

    schema = unit_schema(campaign.measures)
    stem = getattr(check, "_stem", lambda file: PurePath(file).stem)  # what the version does
    best: dict[str, float] = {}
    spent: dict[str, float] = {}

    def timed(name: str, work: Callable[..., Any], *args: Any) -> Any:
        start = time.perf_counter()
        value = work(*args)
        spent[name] = spent.get(name, 0.0) + time.perf_counter() - start
        return value

    for _ in range(PASSES):
        spent.clear()
        for file, data in files:
            text = timed("decode", decode, data)
            doc = timed("parse", parse, text)
            findings: list[Any] = []
            clean = timed("shape", shape, doc, schema, findings)
            resolved, counted = timed("working days", resolve_workdays, clean, campaign)
            findings.extend(resolved)
            found = timed("entries", _tuple, entries, clean, campaign)
            named = timed("stem", stem, file)
            folders = timed("folders", check._folders, file, campaign)
            bom = data.startswith(BOM)
            ctx = timed("context", Context, campaign, TODAY, named, folders, text, found, bom)
            for rule in unit_checks():
                findings.extend(timed(rule.__name__, _listed, rule, clean, ctx))
            located = timed("relocate", relocate, findings, counted)
            timed("pinpoint", partial(pinpoint, text=text, file=file), located)
        for name, seconds in spent.items():
            best[name] = min(best.get(name, seconds), seconds)
    return best


def _tuple(work: Callable[..., Any], *args: Any) -> tuple[Any, ...]:
    return tuple(work(*args))


def _listed(rule: Callable[..., Any], *args: Any) -> list[Any]:
    return list(rule(*args))


def _whole(files: list[tuple[str, bytes]], campaign: Any) -> dict[str, float]:
    from checklist.load import validate
    from checklist.load.check import check_unit

    names = [os.path.abspath(file) for file, _ in files]  # noqa: PTH100 (discovery's names)
    runs: dict[str, list[float]] = {"check_unit (build=False)": [], "check_file (reads too)": []}
    for _ in range(PASSES):
        start = time.perf_counter()
        for file, data in files:
            check_unit(data, file=file, campaign=campaign, today=TODAY, build=False)
        runs["check_unit (build=False)"].append(time.perf_counter() - start)
        start = time.perf_counter()
        for name in names:
            # An older check_file takes a Path; this one takes the name as text, as the
            # validate of each version passes it.
            path = name if hasattr(validate, "shown") else Path(name)
            validate.check_file(path, campaign=campaign, today=TODAY, build=False)
        runs["check_file (reads too)"].append(time.perf_counter() - start)
    return {name: min(seconds) for name, seconds in runs.items()}


if __name__ == "__main__":
    raise SystemExit(main())
