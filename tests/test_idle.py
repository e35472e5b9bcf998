"""The embedded engine at rest: logs flushed on read (not every second), and the idle benchmark's report."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

from core import logflush
from core.connection import Connection

ROOT = Path(__file__).resolve().parent.parent


def _logged(conn: Connection, marker: str) -> int:
    return conn.query_rows("SELECT count() FROM system.query_log WHERE log_comment = {m:String} AND type = 'QueryFinish'",
                           {"m": marker})[0][0]


def test_a_log_read_flushes_the_embedded_engine_first(conn: Connection) -> None:
    marker = f"chm_idle_{uuid.uuid4().hex}"
    conn.query_rows("SELECT 1", settings={"log_comment": marker})
    logflush._last_flush["at"] = float("-inf")
    assert logflush.flush_before_read(conn, "query_log") is True
    assert _logged(conn, marker) == 1  # visible at once, although query_log flushes only every 7.5 s on its own
    assert logflush.flush_before_read(conn, "query_log") is False, "a second read within FRESH_SECONDS must not flush"


def test_no_flush_for_other_tables_or_a_server(conn: Connection, http_conn: Connection) -> None:
    logflush._last_flush["at"] = float("-inf")
    assert logflush.flush_before_read(conn, "parts") is False
    assert logflush.flush_before_read(conn, None) is False
    assert logflush.flush_before_read(http_conn, "query_log") is False


def test_idle_bench_small_run() -> None:
    result = subprocess.run([sys.executable, "bench/idle_bench.py", "--seconds", "10", "--settle", "2"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout)
    assert 9 <= report["seconds"] <= 15
    assert 0 < report["cpu_percent_of_core"] < 10, report  # 18-26 % before the engine was quieted
    assert report["rss_mb"]["min"] > 50 and report["data_mb"]["end"] > 0
    assert {"growth_mb_per_hour", "growth_mb_per_day", "meets_target"} <= set(report)
