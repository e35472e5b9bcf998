"""Browser sweep with the demo workload: how many panels show rows on a fresh embedded engine; prints JSON.

Starts the app as `make run` does with `CHM_DEMO=true` on a fresh engine, waits (on Home's demo box) until the
workload has run a few seconds, then visits every page in headless Chromium and counts, per page, the panels showing
rows against those saying "No rows in this window", a note ("not available on this server") or an error. Query
detail is opened on a real query id (taken from the Slowest queries CSV) and Table detail on `demo.events`.

    python bench/demo_sweep.py

Target: at least 90 % of panels showing rows.
"""

from __future__ import annotations

import csv
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from dashboard.catalog import PAGES  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
TARGET_SHARE = 0.9
REPLICATION_PAGES = frozenset({"replicas", "replication_queue", "readonly_replicas", "fetches", "ddl_queue", "clusters"})
"""Pages about replicas, Keeper and clusters: an embedded engine has none of them, whatever the workload."""
WORKLOAD_SECONDS = 8
NOTE = "not available on this server"
NO_ROWS = "No rows in this window."


def _settled(page: Any, timeout_ms: int = 120_000) -> None:
    """Wait until the app's frame has drawn and no script run is in progress."""
    page.get_by_text("Time range", exact=True).wait_for(timeout=timeout_ms)
    page.wait_for_selector("[data-testid=stAppViewContainer] [data-testid=stElementContainer]", timeout=timeout_ms)
    page.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=timeout_ms)


def wait_for_workload(page: Any, base: str, seconds: int = WORKLOAD_SECONDS, timeout: float = 600) -> str:
    """Reload Home until its demo box says the workload ran `seconds` s (or has finished); returns that caption."""
    deadline = time.monotonic() + timeout
    while True:
        page.goto(f"{base}/")
        _settled(page)
        text = page.locator("[data-testid=stMain]").inner_text()
        ran = re.search(r"\((\d+) s of workload so far\)", text)
        if (ran and int(ran.group(1)) >= seconds) or "The demo ran" in text:
            return (ran.group(0) if ran else "finished")
        if "stopped early" in text or time.monotonic() > deadline:
            raise RuntimeError(f"the demo workload did not get going: {text[-500:]}")
        page.wait_for_timeout(2000)


def slow_query_id(page: Any, base: str, folder: Path) -> str:
    """A real query id: the first row of the Slowest queries panel, read from its CSV download."""
    page.goto(f"{base}/{PAGES['queries_slow'].url_path}")
    _settled(page)
    with page.expect_download() as info:
        page.get_by_role("button", name="CSV", exact=True).first.click()
    target = folder / "slow.csv"
    info.value.save_as(target)
    with target.open(encoding="utf-8") as handle:
        cell = next(csv.DictReader(handle))["query_id"]
    return cell.rsplit("query_id=", 1)[-1]  # the CSV holds the table as shown: query_id is a link to Query detail


def count_page(page: Any, key: str) -> dict[str, Any]:
    """Panels of the page showing rows, and those showing "No rows", a note or an error instead."""
    spec = PAGES[key]
    main = page.locator("[data-testid=stMain]")
    text = main.inner_text()
    alerts = [a.inner_text() for a in main.locator("[data-testid=stAlert]").all()]
    if spec.special == "health":
        panels = len(spec.panel_names)
        statuses = re.findall(r"— (critical|warning|ok|no data|n/a)\b", text)
        empty = statuses.count("no data")
        notes = statuses.count("n/a")
        errors = 0
    else:
        panels = len(spec.panel_names)
        empty = text.count(NO_ROWS)
        notes = sum(NOTE in a for a in alerts)
        errors = sum(" failed: " in a or "timed out" in a for a in alerts)
    return {"page": key, "panels": panels, "with_rows": panels - empty - notes - errors, "no_rows": empty,
            "not_available": notes, "errors": errors}


def sweep(base: str, folder: Path) -> dict[str, Any]:
    """Visit every page once the workload runs; the per-page counts and the shares of panels showing rows."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(accept_downloads=True)
        page.set_default_timeout(120_000)
        workload = wait_for_workload(page, base)
        query_id = slow_query_id(page, base, folder)
        pages = []
        for key, spec in PAGES.items():
            query = {"query_detail": f"?query_id={query_id}", "table_detail": "?database=demo&table=events"}.get(key, "")
            page.goto(f"{base}/{spec.url_path}{query}")
            _settled(page)
            pages.append(count_page(page, key))
        browser.close()
    panels = sum(p["panels"] for p in pages)
    with_rows = sum(p["with_rows"] for p in pages)
    fillable = [p for p in pages if p["page"] not in REPLICATION_PAGES]
    fillable_panels = sum(p["panels"] - p["not_available"] for p in fillable)
    return {
        "workload_before_sweep": workload,
        "panels": panels,
        "with_rows": with_rows,
        "share_with_rows": round(with_rows / panels, 3),
        "panels_outside_replication_on_tables_this_engine_has": fillable_panels,
        "share_with_rows_of_those": round(sum(p["with_rows"] for p in fillable) / fillable_panels, 3),
        "target_share": TARGET_SHARE,
        "empty_pages": [p for p in pages if p["with_rows"] < p["panels"]],
    }


def main() -> int:
    from load_bench import free_port, start_app

    os.environ["CHM_DEMO"] = "true"
    folder = Path(tempfile.mkdtemp(prefix="chm-sweep-"))
    port = free_port()
    proc = start_app(port, str(folder / "engine"))
    try:
        report = sweep(f"http://127.0.0.1:{port}", folder)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
