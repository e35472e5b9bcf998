"""The history benchmark runs end to end (small sizes) and reports every figure the issue asks for."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_history_bench_small_run(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "bench/history_bench.py", "--threads", "400", "--messages", "5", "--users", "4",
         "--runs", "2", "--data-dir", str(tmp_path / "engine")],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout)
    assert report["conversations"] == 400 and report["messages"] == 2000
    for key in ("list_ms", "list_page2_ms", "list_filtered_ms", "search_ms", "search_common_word_ms",
                "list_all_users_ms", "search_all_users_ms"):
        assert isinstance(report[key], float) and report[key] > 0, key
    assert report["search_found"] >= 1
    assert set(report["meets_targets"]) == {"list", "search", "list_all_users", "search_all_users"}
