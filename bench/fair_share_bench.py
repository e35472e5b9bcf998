"""Fair sharing on the embedded engine: how long one session's page waits while another session runs a slow query.

Each configuration runs in a process of its own (one engine per process): the Overview page's panels are run once
quietly, then again while another thread runs a user-typed query of `--slow` seconds. With one client (the old
process-wide lock) the page waits for the whole slow query; with the pool it should not. Prints JSON.
Usage: `.venv/bin/python bench/fair_share_bench.py [--slow 10] [--clients 1 4]`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = "overview"


def _page_seconds(conn: object) -> float:
    from dashboard.catalog import PAGES, PANELS
    from dashboard.panels import run_panel

    end = datetime.now(UTC).replace(tzinfo=None)
    began = time.perf_counter()
    for name in PAGES[PAGE].panel_names:
        try:
            run_panel(conn, PANELS[name], {}, start=end - timedelta(hours=1), end=end)
        except Exception:  # noqa: BLE001 - a missing table is fine here: only the wait is measured
            continue
    return time.perf_counter() - began


def measure(slow: float) -> dict[str, float]:
    """In this process: the page's time quiet and while a `slow`-second user query runs in another thread."""
    from config import load_settings
    from core.connection import connect

    conn = connect(load_settings())
    _page_seconds(conn)  # warm up: log tables, the engine's caches
    quiet = min(_page_seconds(conn) for _ in range(3))
    rows = max(1, int(slow / 0.25))
    started = threading.Event()

    def slow_query() -> None:
        started.set()
        conn.query_df("SELECT sleepEachRow(0.25) FROM numbers({rows:UInt32})", {"rows": rows}, adhoc=True,
                      settings={"max_block_size": 1})

    worker = threading.Thread(target=slow_query)
    began = time.perf_counter()
    worker.start()
    started.wait()
    time.sleep(0.3)  # let the slow query reach the engine before the page asks
    busy = _page_seconds(conn)
    worker.join()
    return {"page_quiet_s": round(quiet, 3), "page_during_slow_query_s": round(busy, 3),
            "delay_s": round(busy - quiet, 3), "slow_query_s": round(time.perf_counter() - began, 2)}


def main() -> None:
    """Run each configuration in its own process and print one JSON object."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--slow", type=float, default=10.0)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, str(ROOT))
        print(json.dumps(measure(args.slow)))
        return
    report: dict[str, object] = {"slow_query_s": args.slow, "page": PAGE, "target_delay_s": 1.0, "runs": {}}
    for clients in args.clients:
        env = {**os.environ, "CHM_DATA_DIR": tempfile.mkdtemp(prefix="chm-fair-"), "CHM_EMBEDDED_CLIENTS": str(clients),
               "CHM_ADHOC_MAX_EXECUTION_TIME": str(int(args.slow) + 30)}
        done = subprocess.run([sys.executable, __file__, "--slow", str(args.slow), "--child"], env=env,
                              capture_output=True, text=True, timeout=args.slow * 4 + 120, check=True)
        report["runs"][f"clients_{clients}"] = json.loads(done.stdout.strip().splitlines()[-1])
    pooled = [run for key, run in report["runs"].items() if key != "clients_1"]
    report["meets_target"] = bool(pooled) and all(run["delay_s"] < 1.0 for run in pooled)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
