"""Merges: running merges, merge performance, mutations, part log."""

from __future__ import annotations

from dashboard.panels import PageSpec, Panel, Param, docs_url

_TABLE_LINK = {"table": "table-detail?database=database&table=table"}
_ONE_TABLE = (Param("database", "String", "", "database (empty: all)"), Param("table", "String", "", "table (empty: all)"))

PANELS = (
    Panel(name="merges_running",
          units={"elapsed_s": "s", "progress_pct": "pct", "num_parts": "count",
                 "total_size_bytes_compressed": "bytes", "rows_read": "count", "rows_written": "count",
                 "memory_usage": "bytes"},
          labels={"elapsed_s": "Elapsed", "progress_pct": "Progress", "num_parts": "Parts",
                 "total_size_bytes_compressed": "Size (compressed)", "memory_usage": "Memory"},
          title="Running merges", sql="dashboard/merges/running",
          cluster_sql="dashboard/merges/running_cluster",
          description="Merges and mutations running now: progress, elapsed, parts, size, memory.", ttl=5,
          params=_ONE_TABLE, requires="merges", docs=docs_url("merges"), links=_TABLE_LINK),
    Panel(name="merges_performance", title="Merge performance by table", sql="dashboard/merges/performance",
          units={"merges": "count", "avg_ms": "ms", "max_ms": "ms", "merged_rows": "count",
                 "rows_per_second": "per_s", "bytes_per_second": "bytes_per_s", "max_memory": "bytes",
                 "errors": "count"},
          labels={"avg_ms": "Average time", "max_ms": "Longest", "rows_per_second": "Rows/s",
                 "bytes_per_second": "Bytes/s", "max_memory": "Peak memory"},
          description="Merges per table in the window: count, duration, rows and bytes per second, errors.",
          requires="part_log", docs=docs_url("part_log"), links=_TABLE_LINK),
    Panel(name="merges_duration", title="Merge duration", sql="dashboard/merges/duration_series", kind="line",
          x="t", y=("avg_ms", "max_ms"), description="Average and maximum merge duration per bucket.",
          requires="part_log", docs=docs_url("part_log")),
    Panel(name="mutations", title="Mutations", sql="dashboard/merges/mutations",
          units={"parts_to_do": "count", "age_s": "s"},
          labels={"age_s": "Age"},
          variants=(((25, 8), "dashboard/merges/mutations_24_8"),),
          description="Mutations, failing and unfinished first: command, parts to do, age, last failure.",
          params=_ONE_TABLE, requires="mutations", docs=docs_url("mutations"), links=_TABLE_LINK),
    Panel(name="part_log", title="Part log", sql="dashboard/merges/part_log",
          units={"rows": "count", "size_in_bytes": "bytes", "duration_ms": "ms"},
          labels={"size_in_bytes": "Size", "duration_ms": "Duration"},
          description="Part events in the window: new, merged, mutated, downloaded, removed, with errors.",
          params=(Param("event_type", "String", "", "event type",
                        ("", "NewPart", "MergeParts", "MutatePart", "DownloadPart", "RemovePart", "MovePart")),
                  Param("limit", "UInt32", 500, "rows")),
          requires="part_log", docs=docs_url("part_log"), links={"query_id": "query-detail?query_id=query_id"}),
)

PAGES = (
    PageSpec("merges_running", "Running merges", "Merges", icon=":material/merge:", rows=(("merges_running",),),
             requires="merges"),
    PageSpec("merges_performance", "Merge performance", "Merges", icon=":material/speed:",
             rows=(("merges_duration",), ("merges_performance",)), requires="part_log"),
    PageSpec("mutations", "Mutations", "Merges", icon=":material/transform:",
             rows=(("mutations",),), actions=("kill_mutation",),
             requires="mutations"),
    PageSpec("part_log", "Part log", "Merges", icon=":material/receipt_long:",
             rows=(("part_log",),), filters=("event_type", "limit"),
             requires="part_log"),
)

# What a question-matcher reads beside each panel: phrases in the words operators use.
ASK = {
    "merges_running": ("merges in progress", "current merges progress", "is a merge in progress"),
    "merges_performance": ("merge performance by table", "merge speed rows per second", "how long merges take",
                           "longest merge time per table"),
    "merges_duration": ("merge duration over time", "average maximum merge time", "how long the merges took"),
    "mutations": ("mutations", "stuck unfinished mutations", "alter update delete progress",
                  "mutation failed fail reason"),
    "part_log": ("history of part changes", "new parts merged parts removed", "parts created downloaded moved"),
}
