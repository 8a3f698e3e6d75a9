"""Two versions of checklist side by side, runs interleaved, on one campaign (issue 12).

    python benchmarks/compare.py CAMPAIGN --old DIR --new DIR [--repeat 5] [--only WORD]

DIR is a folder holding the ``checklist`` package (``git archive COMMIT src | tar -x``,
then DIR/src). Each command runs old, new, old, new…, so a machine busy with other work
slows both alike; the table gives median wall-clock seconds, median CPU seconds (user +
system, the process and its workers: what a busy machine disturbs least), the CPU ratio
to the tomllib baseline in the same run, and the largest peak RSS (GNU time).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
COMMANDS = {
    "baseline (tomllib)": ["BASELINE"],
    "validate (cold)": ["validate"],
    "validate (warm)": ["validate"],
    "status (cold)": ["status"],
    "status (warm)": ["status"],
    "status --soon 7 (warm)": ["status", "--soon", "7"],
    "rollup (warm)": ["rollup"],
    "rollup --by measure --measures (warm)": ["rollup", "--by", "measure", "--measures"],
    "trend (warm)": ["trend"],
    "remind (warm)": ["remind"],
    "remind --format json (warm)": ["remind", "--format", "json"],
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("campaign", type=Path)
    parser.add_argument("--old", type=Path, required=True)
    parser.add_argument("--new", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--only", action="append", default=[], help="only the commands naming WORD (repeatable)"
    )
    args = parser.parse_args(argv)
    chosen = {
        label: command
        for label, command in COMMANDS.items()
        if label.startswith("baseline") or not args.only or any(w in label for w in args.only)
    }
    scratch = Path(tempfile.mkdtemp(prefix="checklist-compare-"))
    for src in (args.old, args.new):
        compiled(src)
    versions = {"old": args.old, "new": args.new}
    table: dict[tuple[str, str], list[tuple[float, float, float]]] = {}
    for label, command in chosen.items():
        for name, src in versions.items():
            if label.endswith("(warm)"):
                run(command, src, scratch / name, args.campaign)  # fills the cache
        for _ in range(args.repeat):
            for name, src in versions.items():
                if label.endswith("(cold)"):
                    shutil.rmtree(scratch / name, ignore_errors=True)
                sample = run(command, src, scratch / name, args.campaign)
                table.setdefault((label, name), []).append(sample)
        print(label, file=sys.stderr)
    shutil.rmtree(scratch, ignore_errors=True)
    print(render(table, list(chosen)))
    return 0


def compiled(src: Path) -> None:
    """Both versions' bytecode written beforehand, as pip writes it when it installs: a
    run that compiles every module from source (PYTHONDONTWRITEBYTECODE set, or a tree
    never imported) spends 50 ms or more on it, which no user's run does."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(src)], check=True)


def run(command: list[str], src: Path, cache: Path, campaign: Path) -> tuple[float, float, float]:
    """One process: wall seconds, CPU seconds (with its children), peak MB."""
    env = {**os.environ, "CHECKLIST_AS_OF": "2023-11-20", "NO_COLOR": "1"}
    env["CHECKLIST_CACHE_DIR"] = str(cache)
    env["PYTHONPATH"] = str(src.resolve())
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: see compiled()
    if command == ["BASELINE"]:
        args = [sys.executable, str(HERE / "baseline.py"), str(campaign)]
    else:
        args = [sys.executable, "-m", "checklist", *command, str(campaign)]
    with tempfile.NamedTemporaryFile("r") as out:
        timed = ["/usr/bin/time", "-f", "%e %U %S %M", "-o", out.name, *args]
        subprocess.run(
            timed, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
        )
        wall, user, system, kb = out.read().split()[-4:]
    return float(wall), float(user) + float(system), int(kb) / 1024


def render(
    table: dict[tuple[str, str], list[tuple[float, float, float]]], labels: list[str]
) -> str:
    """A Markdown table: per command, old and new wall, CPU, CPU × baseline, peak MB."""
    lines = [
        "| command | old s | new s | old CPU s | new CPU s | old ×base | new ×base "
        "| old MB | new MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    base = {
        name: statistics.median(s[1] for s in table["baseline (tomllib)", name])
        for name in ("old", "new")
    }
    for label in labels:
        cells = [label]
        old, new = table[label, "old"], table[label, "new"]
        cells += [f"{statistics.median(s[0] for s in v):.2f}" for v in (old, new)]
        cells += [f"{statistics.median(s[1] for s in v):.2f}" for v in (old, new)]
        cells += [
            f"{statistics.median(s[1] for s in v) / base[n]:.2f}"
            for v, n in ((old, "old"), (new, "new"))
        ]
        cells += [f"{max(s[2] for s in v):.0f}" for v in (old, new)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
