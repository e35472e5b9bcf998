"""Per-page load cost on the embedded engine: server-side time cold and warm, and queries sent.

Prints one JSON object per page, then a summary against the targets (cold ≤ 1.5 s, overview warm ≤ 0.3 s,
queries per load ≤ panels on the page). Runs the app headless with AppTest in a temporary engine directory.
Usage: `.venv/bin/python bench/pages_bench.py`.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["CHM_DATA_DIR"] = tempfile.mkdtemp(prefix="chm-bench-")

from streamlit.testing.v1 import AppTest  # noqa: E402

from core.connection import Connection  # noqa: E402
from dashboard import render  # noqa: E402
from dashboard.catalog import PAGES  # noqa: E402
from dashboard.context import get_connection  # noqa: E402
from tests import apptest  # noqa: E402

COLD_TARGET_S = 1.5
WARM_OVERVIEW_TARGET_S = 0.3
SENT = {"queries": 0}


def _counting(method):  # noqa: ANN001, ANN202
    def wrapper(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        SENT["queries"] += 1
        return method(self, *args, **kwargs)
    return wrapper


Connection.query_df = _counting(Connection.query_df)
Connection.command = _counting(Connection.command)


def _load(at: AppTest, script: str) -> tuple[float, int]:
    SENT["queries"] = 0
    started = time.perf_counter()
    apptest.open_page(at, script)
    at.run()
    if at.exception:
        raise RuntimeError(f"{script}: {at.exception[0].message}")
    return time.perf_counter() - started, SENT["queries"]


def main() -> None:
    """Warm the engine's logs, then load every page cold (panel caches cleared) and warm."""
    conn = get_connection(0)
    conn.query_df("SELECT 1")
    time.sleep(1.1)
    conn.command("SYSTEM FLUSH LOGS")
    at = apptest.app(timeout=120)
    at.run()
    results = []
    for key, page in PAGES.items():
        render.clear_results()
        cold_s, cold_queries = _load(at, page.script)
        warm_s, warm_queries = _load(at, page.script)
        row = {"page": key, "panels": len(page.panel_names), "cold_s": round(cold_s, 3), "warm_s": round(warm_s, 3),
               "queries_cold": cold_queries, "queries_warm": warm_queries}
        results.append(row)
        print(json.dumps(row))
    slow = [r["page"] for r in results if r["cold_s"] > COLD_TARGET_S]
    chatty = [r["page"] for r in results if r["queries_cold"] > r["panels"]]
    overview = next(r for r in results if r["page"] == "overview")
    print(json.dumps({
        "summary": True, "pages": len(results), "max_cold_s": max(r["cold_s"] for r in results),
        "over_cold_target": slow, "overview_warm_s": overview["warm_s"],
        "overview_warm_ok": overview["warm_s"] <= WARM_OVERVIEW_TARGET_S, "more_queries_than_panels": chatty,
    }))


if __name__ == "__main__":
    main()
