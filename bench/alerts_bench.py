"""Alert watcher benchmark: prints JSON with CPU time and queries per evaluation cycle, 24 checks on 1 and 3 hosts.

    python bench/alerts_bench.py               # 5 cycles each
    python bench/alerts_bench.py --cycles 2    # a quick run

One host is the embedded engine (in this process: its CPU counts as the watcher's). Three hosts are three ClickHouse
HTTP endpoints (tests/ch_http.py, each a subprocess over its own real engine): the watcher's CPU and the servers'
are reported apart. Queries are counted by the servers themselves: rows of `system.query_log` carrying the app's tag
during the cycles. No transition happens (the engines are healthy and thresholds are the defaults but for
the two that fire on any fresh engine), so a cycle is the steady-state cost: the 24 checks per host plus 2 reads of the alert table.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alerts.history import AlertLog  # noqa: E402
from alerts.watcher import Watcher  # noqa: E402
from config import Settings, load_settings  # noqa: E402
from core.connection import APP_TAG, connect  # noqa: E402
from tests.chserver import ServerProcess  # noqa: E402

CALM = {"chm_health_uptime_warning": -1.0, "chm_health_uptime_critical": -1.0,
        "chm_health_system_log_ttl_warning": 1e9, "chm_health_system_log_ttl_critical": 1e9}
"""A fresh engine has just started and its backup/crash logs have no TTL: the two checks that would fire here."""
COUNT_SQL = ("SELECT count() FROM merge('system', '^query_log') WHERE type != 'QueryStart' AND "
             "event_time >= {start:DateTime} AND event_time <= {end:DateTime} AND log_comment = {tag:String}")


def _cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds of a process so far (/proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _queries(settings: Settings, start: datetime, end: datetime) -> int:
    """The app's queries every host logged between two moments (the count itself is sent after `end`)."""
    total = 0
    for index in range(len(settings.clickhouse.host_labels)):
        conn = connect(settings, index)
        conn.command("SYSTEM FLUSH LOGS")
        total += conn.query_rows(COUNT_SQL, {"start": start, "end": end, "tag": APP_TAG})[0][0]
    return total


def measure(settings: Settings, cycles: int, servers: list[ServerProcess]) -> dict[str, object]:
    """Run `cycles` watcher cycles after a warm-up one; per-cycle CPU and query figures."""
    watcher = Watcher(settings, AlertLog.from_settings(settings, connect(settings, 0)), None)
    watcher.run_once()  # warm-up: connections, the alert table, plans
    time.sleep(1.1)  # query_log has second resolution: keep the warm-up out of the counted window
    cpu, server_cpu, wall = [], [], []
    start = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    for _ in range(cycles):
        before = [_cpu_seconds(s.proc.pid) for s in servers if s.proc]
        began, began_cpu = time.perf_counter(), time.process_time()
        events = watcher.run_once()
        cpu.append((time.process_time() - began_cpu) * 1000)
        wall.append((time.perf_counter() - began) * 1000)
        server_cpu.append(sum(_cpu_seconds(s.proc.pid) for s in servers if s.proc) * 1000 - sum(before) * 1000)
        assert events == [], events
    end = datetime.now(UTC).replace(tzinfo=None)
    time.sleep(1.1)
    queries = _queries(settings, start, end)

    def summary(values: list[float]) -> dict[str, float]:
        return {"median": round(statistics.median(values), 1), "min": round(min(values), 1),
                "max": round(max(values), 1)}

    report: dict[str, object] = {
        "hosts": len(settings.clickhouse.host_labels), "checks": len(watcher.targets), "cycles": cycles,
        "watcher_cpu_ms_per_cycle": summary(cpu), "wall_ms_per_cycle": summary(wall),
        "queries_per_cycle": round(queries / cycles, 1),
    }
    if servers:
        report["servers_cpu_ms_per_cycle"] = summary(server_cpu)
    return report


def run(args: argparse.Namespace) -> dict[str, object]:
    """Both measurements, as one JSON report."""
    data_dir = tempfile.mkdtemp(prefix="chm-alerts-bench-")
    one = measure(load_settings(chm_data_dir=data_dir, chm_alert_table="bench_alerts", **CALM), args.cycles, [])
    servers = [ServerProcess(Path(tempfile.mkdtemp(prefix="chm-alerts-bench-host-"))).start() for _ in range(3)]
    try:
        three = measure(load_settings(clickhouse_host=",".join(s.url for s in servers),
                                      clickhouse_agent_conversations_auto_create=True,
                                      chm_alert_table="bench_alerts", **CALM), args.cycles, servers)
    finally:
        for server in servers:
            server.stop()
    return {"one_host": one, "three_hosts": three}


def main() -> None:
    """Parse arguments, run, print JSON."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cycles", type=int, default=5, help="measured cycles per setup (after one warm-up)")
    print(json.dumps(run(parser.parse_args()), indent=2))


if __name__ == "__main__":
    main()
