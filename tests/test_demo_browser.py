"""With the demo workload started on a fresh engine, a browser sweep of every page finds panels showing rows."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.appserver import CHROMIUM

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="no Debian chromium")]


def test_demo_fills_the_pages() -> None:
    result = subprocess.run([sys.executable, "bench/demo_sweep.py"], cwd=ROOT, capture_output=True, text=True,
                            timeout=1200)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout)
    assert report["panels"] >= 90
    assert [p for p in report["empty_pages"] if p["errors"]] == []
    assert report["share_with_rows_of_those"] >= report["target_share"] == 0.9, report["empty_pages"]
