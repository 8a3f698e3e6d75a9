"""What the index's occurrence table could give status and rollup (issue 12), measured in-process.

    python benchmarks/store_sql.py CAMPAIGN [--as-of 2023-11-20]

Fills the index if needed (a status run), then times, in this process: loading every unit
from the index and expanding its occurrences with status.items (what status does today),
against counting states by county in SQL over the occurrence table and listing the
overdue and due-soon rows (what status and rollup could do). Both must agree on the counts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("campaign", type=Path)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2023, 11, 20))
    args = parser.parse_args(argv)
    env = {**os.environ, "CHECKLIST_AS_OF": args.as_of.isoformat(), "NO_COLOR": "1"}
    command = [sys.executable, "-m", "checklist", "status", str(args.campaign)]
    subprocess.run(command, env=env, stdout=subprocess.DEVNULL, check=False)

    from checklist.dates import shift
    from checklist.load.cache import stamp
    from checklist.load.campaign import load_campaign
    from checklist.load.discover import discover
    from checklist.load.store import STATE_SQL, Store
    from checklist.status import items

    campaign = load_campaign(args.campaign / "campaign.toml")
    files = discover([args.campaign], campaign)
    wanted = {str(path.absolute()): stamp(path.stat()) for path in files}

    started = time.perf_counter()
    store = Store.open(campaign)
    results = store.load(wanted, units=True)
    units = [r.unit for r in results.values() if r.unit is not None]
    loaded = time.perf_counter()
    python = Counter(
        (i.unit.county, str(i.state)) for i in items(units, campaign=campaign, as_of=args.as_of)
    )
    expanded = time.perf_counter()
    store.close()

    started_sql = time.perf_counter()
    store = Store.open(campaign)
    assert store.conn is not None
    day = {"as_of": args.as_of.isoformat(), "horizon": shift(args.as_of, 7).isoformat()}
    counts = store.conn.execute(
        f"SELECT f.county, {STATE_SQL} AS state, count(*) FROM occurrences o "
        "JOIN files f ON f.id = o.file GROUP BY 1, 2",
        day,
    ).fetchall()
    counted = time.perf_counter()
    listed = store.conn.execute(
        f"SELECT * FROM (SELECT *, {STATE_SQL} AS state FROM occurrences) "
        "WHERE state IN ('overdue', 'due_soon')",
        day,
    ).fetchall()
    finished = time.perf_counter()
    store.close()

    sql = Counter({(county, state): n for county, state, n in counts})
    print(f"units loaded from the index: {len(units):,} in {loaded - started:.3f} s")
    print(
        f"occurrences expanded by status.items: {sum(python.values()):,} "
        f"in {expanded - loaded:.3f} s"
    )
    print(f"states counted by county in SQL: {counted - started_sql:.3f} s (open included)")
    print(f"overdue and due-soon rows listed in SQL: {len(listed):,} in {finished - counted:.3f} s")
    print(f"the counts agree: {python == sql}")
    return 0 if python == sql else 1


if __name__ == "__main__":
    sys.exit(main())
