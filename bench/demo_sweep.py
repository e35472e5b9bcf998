"""Browser sweep with the demo workload: which panels show rows on a fresh embedded engine; prints JSON.

Starts the app as `make run` does with `CHM_DEMO=true` on a fresh engine, waits (on Home's demo box) until the
workload has run a few seconds, then visits every page in headless Chromium and reads each panel's own box: rows (a
table, chart, figure or text), "No rows in this window", a note ("not available on this server") or an error. Query
detail is opened on a real query id (taken from the Slowest queries CSV) and Table detail on `demo.events`.

The share is counted against every panel of every page. Panels whose rows only a ClickHouse server can have declare
it (`Panel.needs_server`); they are listed with that reason, never left out of the count. The Health page's checks
are reported one by one: status, value, detail, and the demo reason of each check the demo makes fire.

    python bench/demo_sweep.py

Target: at least 90 % of panels showing rows; every check other than replication/Keeper ok or firing for a demo
reason it names.
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

from dashboard.catalog import PAGES, PANELS  # noqa: E402
from dashboard.demo import FIRING_REASONS, REPLICATION_CHECKS  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
TARGET_SHARE = 0.9
WORKLOAD_SECONDS = 8
NOTE = "not available on this server"
NO_ROWS = "No rows in this window."
SHOWN = ("stDataFrame", "stMetric", "stPlotlyChart", "stCode")
"""Test ids of what a panel draws when it has rows: a table, a figure, a chart, a statement's text."""
DRAWN = frozenset({"rows", "no_rows", "not_available", "error"})

# Reads each title's own box (the panel's container, or a health check's card) and what it shows.
_READ_PANELS = """([titles, shown, note, noRows]) => {
  const main = document.querySelector('[data-testid=stMain]');
  const strongs = [...main.querySelectorAll('strong')];
  return titles.map(title => {
    const strong = strongs.find(s => s.textContent.trim() === title);
    if (!strong) return {title, state: 'missing', text: ''};
    const box = strong.closest('[data-testid=stVerticalBlock]');
    const text = box.innerText;
    const alert = box.querySelector('[data-testid=stAlert]');
    const caption = box.querySelector('[data-testid=stCaptionContainer]');
    let state = 'unknown';
    if (text.includes(noRows)) state = 'no_rows';
    else if (alert) state = alert.innerText.includes(note) ? 'not_available' : 'error';
    else if (shown.some(id => box.querySelector(`[data-testid=${id}]`))) state = 'rows';
    return {title, state, text: text.slice(0, 400), caption: caption ? caption.innerText : ''};
  });
}"""


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


def read_panels(page: Any, key: str, timeout: float = 60) -> list[dict[str, Any]]:
    """Each panel of the page with what its box shows: rows, no_rows, not_available, error; read again while a box
    is still drawing (missing or unknown), up to `timeout` seconds, then taken as it is."""
    names = PAGES[key].panel_names
    deadline = time.monotonic() + timeout
    while True:
        boxes = page.evaluate(_READ_PANELS, [[PANELS[n].title for n in names], list(SHOWN), NOTE, NO_ROWS])
        if all(box["state"] in DRAWN for box in boxes) or time.monotonic() > deadline:
            return [{"page": key, "panel": name, **box} for name, box in zip(names, boxes, strict=True)]
        page.wait_for_timeout(500)


def read_health(boxes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each health check's card: status, value, detail, and why it fires when the demo makes it fire."""
    checks = []
    for box in boxes:
        status = re.search(r"— (critical|warning|ok|no data|n/a)\b", box["text"])
        value = re.search(r"value (\S+)", box["text"])
        name = box["panel"]
        checks.append({
            "check": name, "title": box["title"], "status": status.group(1) if status else box["state"],
            "value": value.group(1) if value else "", "detail": box["caption"],
            "demo_reason": FIRING_REASONS.get(name, ""), "replication_or_keeper": name in REPLICATION_CHECKS,
        })
    return checks


def summary(panels: list[dict[str, Any]], checks: list[dict[str, Any]]) -> dict[str, Any]:
    """The shares against all panels, the panels only a server can fill, what is empty that should not be (pure)."""
    total, with_rows = len(panels), sum(p["state"] == "rows" for p in panels)
    server_only = [p for p in panels if PANELS[p["panel"]].needs_server]
    fillable = total - len(server_only)
    return {
        "panels": total,
        "with_rows": with_rows,
        "share_with_rows": round(with_rows / total, 3),
        "target_share": TARGET_SHARE,
        "target_met": with_rows / total >= TARGET_SHARE,
        "panels_only_a_server_can_fill": len(server_only),
        "best_share_on_the_embedded_engine": round(fillable / total, 3),
        "with_rows_of_the_others": sum(p["state"] == "rows" for p in panels if not PANELS[p["panel"]].needs_server),
        "others": fillable,
        "only_a_server_can_fill": [{"page": p["page"], "panel": p["panel"], "state": p["state"],
                                    "needs": PANELS[p["panel"]].needs_server} for p in server_only],
        "empty_but_fillable": [{k: p[k] for k in ("page", "panel", "state", "text")} for p in panels
                               if p["state"] != "rows" and not PANELS[p["panel"]].needs_server],
        "errors": [{k: p[k] for k in ("page", "panel", "text")} for p in panels if p["state"] == "error"],
        "health": checks,
        "health_unexplained": [c["check"] for c in checks if c["status"] != "ok" and not c["demo_reason"]
                               and not c["replication_or_keeper"]],
    }


def sweep(base: str, folder: Path) -> dict[str, Any]:
    """Visit every page once the workload runs; each panel's state, each health check, and the shares."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(accept_downloads=True)
        page.set_default_timeout(120_000)
        workload = wait_for_workload(page, base)
        query_id = slow_query_id(page, base, folder)
        panels, checks = [], []
        for key, spec in PAGES.items():
            query = {"query_detail": f"?query_id={query_id}", "table_detail": "?database=demo&table=events"}.get(key, "")
            page.goto(f"{base}/{spec.url_path}{query}")
            _settled(page)
            boxes = read_panels(page, key)
            if spec.special == "health":
                checks = read_health(boxes)
                for box in boxes:  # a check shows a value (its one row) unless it says no data or n/a
                    box["state"] = "rows" if re.search(r"— (critical|warning|ok)\b", box["text"]) else "no_rows"
            panels.extend(boxes)
        browser.close()
    return {"workload_before_sweep": workload, **summary(panels, checks)}


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
