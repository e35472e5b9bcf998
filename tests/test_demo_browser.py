"""With the demo workload started on a fresh engine, a browser sweep of every page finds rows in every panel the
embedded engine can fill, and every health check (replication and Keeper aside) ok or firing for a named demo reason."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.catalog import PAGES, PANELS
from tests.appserver import CHROMIUM

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="no Debian chromium")]


def test_demo_fills_the_pages() -> None:
    result = subprocess.run([sys.executable, "bench/demo_sweep.py"], cwd=ROOT, capture_output=True, text=True,
                            timeout=1200)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout)
    assert report["panels"] == sum(len(page.panel_names) for page in PAGES.values()), "counted against all panels"
    assert report["errors"] == []
    assert report["empty_but_fillable"] == [], "a panel the embedded engine can fill shows no rows"
    server_only = {p["panel"] for p in report["only_a_server_can_fill"]}
    assert server_only == {name for page in PAGES.values() for name in page.panel_names if PANELS[name].needs_server}
    assert report["with_rows"] == report["others"] == report["panels"] - len(server_only)
    assert report["health_unexplained"] == [], report["health"]
    firing = {c["check"] for c in report["health"] if c["status"] in ("warning", "critical")}
    assert {"health_parts_per_partition", "health_detached_parts"} <= firing
