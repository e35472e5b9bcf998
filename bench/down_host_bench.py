"""How fast every page renders when its ClickHouse host does not answer (nothing listens on the port).

Runs the app under AppTest with `CLICKHOUSE_HOST` pointing at a closed port on 127.0.0.1 and times each page's run.
Prints JSON: per-page seconds, the median and the slowest, against the 2 s target, and how many pages showed the one
banner. Usage: `.venv/bin/python bench/down_host_bench.py`.
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import sys
import time
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 2.0


def _closed_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    """Time every page with the host down and print one JSON object."""
    sys.path.insert(0, str(ROOT))
    os.environ["CLICKHOUSE_HOST"] = f"http://127.0.0.1:{_closed_port()}"
    from dashboard.frame import NAVIGATION
    from tests import apptest

    at = apptest.app(timeout=60)
    at.run()
    pages: dict[str, float] = {}
    banners = 0
    for script in (item.script for items in NAVIGATION.values() for item in items):
        began = time.perf_counter()
        apptest.open_page(at, script)
        at.run()
        pages[script] = round(time.perf_counter() - began, 3)
        banners += sum("is not answering" in w.value for w in at.warning) == 1
    times = list(pages.values())
    print(json.dumps({
        "pages": len(pages), "median_s": round(statistics.median(times), 3), "max_s": max(times),
        "slowest": max(pages, key=pages.get), "pages_with_one_banner": banners, "target_s": TARGET_S,
        "meets_target": max(times) < TARGET_S, "per_page_s": pages,
    }, indent=2))


if __name__ == "__main__":
    main()
