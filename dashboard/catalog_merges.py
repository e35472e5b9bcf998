"""Merges: running merges, merge performance, mutations, part log."""

from __future__ import annotations

from dashboard.panels import PageSpec, Panel, Param, docs_url

_TABLE_LINK = {"table": "table-detail?database=database&table=table"}
_ONE_TABLE = (Param("database", "String", "", "database (empty: all)"), Param("table", "String", "", "table (empty: all)"))

PANELS = (
    Panel(name="merges_running", title="Running merges", sql="dashboard/merges/running",
          cluster_sql="dashboard/merges/running_cluster", cluster=True,
          description="Merges and mutations running now: progress, elapsed, parts, size, memory.", ttl=5,
          params=_ONE_TABLE, requires="merges", docs=docs_url("merges"), links=_TABLE_LINK),
    Panel(name="merges_performance", title="Merge performance by table", sql="dashboard/merges/performance",
          description="Merges per table in the window: count, duration, rows and bytes per second, errors.",
          requires="part_log", docs=docs_url("part_log"), links=_TABLE_LINK),
    Panel(name="merges_duration", title="Merge duration", sql="dashboard/merges/duration_series", kind="line",
          x="t", y=("avg_ms", "max_ms"), description="Average and maximum merge duration per bucket.",
          requires="part_log", docs=docs_url("part_log")),
    Panel(name="mutations", title="Mutations", sql="dashboard/merges/mutations",
          variants=(((25, 8), "dashboard/merges/mutations_24_8"),),
          description="Mutations, failing and unfinished first: command, parts to do, age, last failure.",
          params=_ONE_TABLE, requires="mutations", docs=docs_url("mutations"), links=_TABLE_LINK),
    Panel(name="part_log", title="Part log", sql="dashboard/merges/part_log",
          description="Part events in the window: new, merged, mutated, downloaded, removed, with errors.",
          params=(Param("event_type", "String", "", "event type",
                        ("", "NewPart", "MergeParts", "MutatePart", "DownloadPart", "RemovePart", "MovePart")),
                  Param("limit", "UInt32", 500, "rows")),
          requires="part_log", docs=docs_url("part_log"), links={"query_id": "query-detail?query_id=query_id"}),
)

PAGES = (
    PageSpec("merges_running", "Running merges", "Merges", icon="🔀", rows=(("merges_running",),),
             requires="merges"),
    PageSpec("merges_performance", "Merge performance", "Merges", icon="⏱️",
             rows=(("merges_duration",), ("merges_performance",)), requires="part_log"),
    PageSpec("mutations", "Mutations", "Merges", icon="🧬", rows=(("mutations",),), actions=("kill_mutation",),
             requires="mutations"),
    PageSpec("part_log", "Part log", "Merges", icon="📜", rows=(("part_log",),), filters=("event_type", "limit"),
             requires="part_log"),
)

# What a question-matcher reads beside each panel: phrases in the words operators use.
ASK = {
    "merges_running": ("merges in progress", "current merges progress", "is a merge in progress"),
    "merges_performance": ("merge performance by table", "merge speed rows per second", "how long merges take"),
    "merges_duration": ("merge duration over time", "average maximum merge time"),
    "mutations": ("mutations", "stuck unfinished mutations", "alter update delete progress",
                  "mutation failed fail reason"),
    "part_log": ("history of part changes", "new parts merged parts removed", "parts created downloaded moved"),
}
