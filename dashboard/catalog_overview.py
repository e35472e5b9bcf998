"""Overview: KPI cards and the time-series charts of the server's load."""

from __future__ import annotations

from dashboard.panels import PageSpec, Panel, Param, docs_url


def _series(name: str, title: str, description: str, y: tuple[str, ...], requires: str = "metric_log",
            kind: str = "line") -> Panel:
    return Panel(name=f"overview_{name}", title=title, sql=f"dashboard/overview/{name}", description=description,
                 kind=kind, x="t", y=y, requires=requires, docs=docs_url(requires), ttl=30)


PANELS = (
    Panel(name="overview_kpis",
          units={"uptime_seconds": "s", "running_queries": "count", "queries_today": "count",
                 "failed_today": "count", "disk_used_pct": "pct", "active_parts": "count",
                 "running_merges": "count"},
          title="At a glance", sql="dashboard/overview/kpis",
          description="Version, uptime (s), running queries, queries and failures today, disk used %, active parts, "
          "running merges.", kind="kpi", ttl=15, requires="query_log", docs=docs_url("query_log")),
    Panel(name="home_kpis", title="Key figures", sql="dashboard/overview/kpis",
          description="Running queries, queries and failures today, disk used %, active parts, running merges.",
          kind="kpi", y=("running_queries", "queries_today", "failed_today", "disk_used_pct", "active_parts",
                         "running_merges"),
          units={"running_queries": "count", "queries_today": "count", "failed_today": "count", "disk_used_pct": "pct",
                 "active_parts": "count", "running_merges": "count"},
          ttl=15, requires="query_log", docs=docs_url("query_log")),
    _series("queries_per_second", "Queries per second", "Queries started per second (metric_log).",
            ("queries_per_second",)),
    _series("cpu_cores", "CPU (cores busy)", "CPU cores ClickHouse kept busy (OS CPU virtual time).", ("cpu_cores",)),
    _series("memory", "Memory tracked", "MemoryTracking, peak and average bytes per bucket.",
            ("peak_bytes", "avg_bytes")),
    _series("running_queries", "Running queries", "Queries running at once, peak and average.",
            ("peak_running", "avg_running")),
    _series("merges", "Merges", "Merges running at once and rows merged per second.",
            ("running_merges", "merged_rows_per_second")),
    _series("selected_rows", "Selected rows per second", "Rows read by SELECTs per second.",
            ("selected_rows_per_second",), kind="area"),
    _series("selected_bytes", "Selected bytes per second", "Bytes read by SELECTs per second.",
            ("selected_bytes_per_second",), kind="area"),
    _series("inserted_rows", "Inserted rows per second", "Rows written per second, sync and async inserts.",
            ("inserted_rows_per_second", "async_inserted_rows_per_second"), kind="area"),
    _series("connections", "Connections", "Open TCP and HTTP connections.", ("tcp", "http")),
    _series("delayed_inserts", "Delayed and rejected inserts", "Inserts throttled or refused for too many parts.",
            ("delayed_inserts", "rejected_inserts"), kind="bar"),
    _series("failed_queries", "Failed queries", "Queries failing before start and while running (query_log).",
            ("failed_before_start", "failed_while_running"), requires="query_log", kind="bar"),
    _series("duration_quantiles", "Query duration p50 / p95 / p99 (ms)", "Duration quantiles of finished queries.",
            ("p50_ms", "p95_ms", "p99_ms"), requires="query_log"),
    _series("new_parts", "New parts and merges", "Parts written by inserts and merges finished (part_log).",
            ("new_parts", "merged_parts"), requires="part_log", kind="bar"),
    Panel(name="overview_disk_usage", title="Disk used %", sql="dashboard/overview/disk_usage",
          description="Used percent of each disk over time (asynchronous_metric_log).", kind="line", x="t",
          y=("used_pct",), color="disk", requires="asynchronous_metric_log", docs=docs_url("asynchronous_metric_log")),
    Panel(name="overview_top_tables", title="Top tables by size", sql="dashboard/overview/top_tables",
          description="Largest tables by bytes on disk (active parts).", kind="bar", x="table_name",
          y=("bytes_on_disk",), params=(Param("limit", "UInt32", 15, "how many tables"),), ttl=60,
          requires="parts", docs=docs_url("parts")),
)

_CHARTS = [p.name for p in PANELS if p.kind != "kpi"]

PAGES = (
    PageSpec("overview", "Overview", "Overview", icon=":material/monitoring:", requires="metric_log",
             intro="The server's load over the selected time range.",
             rows=(("overview_kpis",), *(tuple(_CHARTS[i:i + 2]) for i in range(0, len(_CHARTS), 2)))),
)

READS = {"overview_kpis": ("processes", "query_log", "disks", "parts", "merges")}
# What a question-matcher reads beside each panel: phrases in the words operators use.
ASK = {
    "overview_kpis": ("overview at a glance", "summary of the server", "dashboard kpis"),
    "overview_queries_per_second": ("queries per second", "qps over time", "query throughput"),
    "overview_cpu_cores": ("cpu usage", "cpu cores busy", "processor load"),
    "overview_memory": ("memory usage over time", "memory tracked", "ram used peak"),
    "overview_running_queries": ("concurrent queries over time", "running queries count history"),
    "overview_merges": ("merges over time", "merged rows per second", "merge rate"),
    "overview_selected_rows": ("rows read per second", "selected rows throughput"),
    "overview_selected_bytes": ("bytes read per second", "selected bytes throughput"),
    "overview_inserted_rows": ("inserted rows per second", "insert rate throughput", "write throughput"),
    "overview_connections": ("connections", "open tcp http connections"),
    "overview_delayed_inserts": ("delayed inserts", "rejected inserts", "inserts throttled too many parts",
                                 "inserts throttled delayed refused"),
    "overview_failed_queries": ("failed queries over time", "query failures per bucket"),
    "overview_duration_quantiles": ("query latency percentiles", "p50 p95 p99 query duration",
                                    "query latency over time"),
    "overview_new_parts": ("new parts over time", "parts written by inserts"),
    "overview_disk_usage": ("disk usage over time", "disk used percent history"),
    "overview_top_tables": ("top tables by size", "largest tables on disk"),
}
