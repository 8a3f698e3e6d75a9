"""How fast `remind --send` records outcomes when the webhook is down (issue 9, item 11).

    python benchmarks/remind_state.py [--units 20000] [--src SRC] [--keep DIR]

A down webhook fails every message at once, so the run is all bookkeeping: each
message is recorded as pending before the next is tried. The state used to be
rewritten whole after every message (2,073 of 23,243 messages in 120 s at 20,000
units); it is now appended to a journal and compacted once at the end.

The campaign comes from generate.py (report day 2023-11-20), with a [webhook] on a
loopback port nobody listens on. Printed: messages, seconds for the plan alone
(`remind --format json`), seconds for the send run, and messages per second of the
send run beyond the plan; then the same for a second run, which retries every
pending message and plans the night's again. ``--src`` runs another source tree
(for instance main's ``src``) for a before-and-after. Numbers only, no verdicts.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="remind-state-") as scratch:
        folder = args.keep or Path(scratch) / "campaign"
        if not (folder / "campaign.toml").exists():
            subprocess.run(
                [
                    sys.executable,
                    str(HERE / "generate.py"),
                    "--units",
                    str(args.units),
                    str(folder),
                ],
                check=True,
                stdout=subprocess.DEVNULL,
            )
        text = (folder / "campaign.toml").read_text(encoding="utf-8")
        if "[webhook]" not in text:
            url = f"http://127.0.0.1:{closed_port()}/hook"
            text += f'\n[webhook]\nurl = "{url}"\nformat = "generic"\ntimeout = 2\n'
            (folder / "campaign.toml").write_text(text, encoding="utf-8")
        state = Path(scratch) / "remind-state.json"
        for name in (state, state.with_name(state.name + ".journal")):
            name.unlink(missing_ok=True)
        env = {**os.environ, "CHECKLIST_AS_OF": "2023-11-20"}
        if args.src:
            env["PYTHONPATH"] = str(args.src.resolve())
        base = [sys.executable, "-m", "checklist", "remind", str(folder), "--no-cache"]
        base += ["--format", "json"]
        planned, plan_seconds = run(base, env)
        messages = len(planned["messages"])
        print(f"units {args.units}, messages planned {messages}, plan alone {plan_seconds:.1f} s")
        for attempt in ("first send", "second send"):
            done, seconds = run([*base, "--send", "--state", str(state)], env)
            handled = len(done["failed"]) + len(done["sent"]) + len(done["undeliverable"])
            rate = handled / max(seconds - plan_seconds, 1e-9)
            print(
                f"{attempt}: {handled} messages handled in {seconds:.1f} s "
                f"({seconds - plan_seconds:.1f} s beyond the plan): {rate:,.0f} messages/s; "
                f"state {state.stat().st_size / 1e6:.1f} MB"
            )
    return 0


def run(command: list[str], env: dict[str, str]) -> tuple[dict, float]:
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(command[2:])} exited {done.returncode}:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout), seconds


def closed_port() -> int:
    """A loopback port with nothing listening: connections are refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    assert __doc__
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=20_000, help="unit files (default 20000)")
    parser.add_argument("--src", type=Path, help="the source tree to run (default: installed)")
    parser.add_argument("--keep", type=Path, help="generate the campaign here, and reuse it")
    return parser.parse_args(argv)


if __name__ == "__main__":
    raise SystemExit(main())
