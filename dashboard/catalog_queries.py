"""Queries: running, history, slow, failed, expensive shapes, one query in detail, the query cache."""

from __future__ import annotations

from dashboard.panels import Action, PageSpec, Panel, Param, docs_url

QUERY_LINK = {"query_id": "query-detail?query_id=query_id"}
_LIMIT = Param("limit", "UInt32", 200, "rows to show")
_MIN_MS = Param("min_duration_ms", "UInt64", 0, "minimum duration (ms)")
_QUERY_ID = Param("query_id", "String", "", "query id")
_USER = Param("user", "String", "", "user (empty: all)")
_LOG = {"requires": "query_log", "docs": docs_url("query_log")}

PANELS = (
    Panel(name="queries_running", title="Running queries", sql="dashboard/queries/running",
          cluster_sql="dashboard/queries/running_cluster", cluster=True,
          description="Queries running now with elapsed time, progress, memory and rows read.", ttl=5,
          params=(_USER, Param("limit", "UInt32", 500, "rows to show")), requires="processes",
          docs=docs_url("processes"), links=QUERY_LINK),
    Panel(name="queries_history", title="Query history", sql="dashboard/queries/history",
          description="Finished and failed queries in the window, filtered by user, kind, text, status, duration.",
          params=(Param("user", "String", "", "user"),
                  Param("query_kind", "String", "", "kind", ("", "Select", "Insert", "Create", "Alter", "Drop",
                                                              "System", "Delete", "Show", "Other")),
                  Param("text", "String", "", "text contains"),
                  Param("status", "String", "", "status", ("", "ok", "failed")),
                  _MIN_MS, _LIMIT),
          links=QUERY_LINK, **_LOG),
    Panel(name="queries_slow", title="Slowest queries", sql="dashboard/queries/slow",
          description="Finished queries that took longest in the window.",
          params=(_MIN_MS, _USER, Param("table", "String", "", "reading this db.table (empty: any)"), _LIMIT),
          links=QUERY_LINK, **_LOG),
    Panel(name="queries_failed", title="Failed queries", sql="dashboard/queries/failed",
          description="Queries that failed in the window, with the error name and message.", params=(_USER, _LIMIT),
          links=QUERY_LINK, **_LOG),
    Panel(name="queries_expensive", title="Expensive query shapes", sql="dashboard/queries/expensive",
          description="Queries grouped by normalized_query_hash: count, total and average time, memory, bytes read.",
          params=(Param("order_by", "Identifier", "total_s", "order by",
                        ("total_s", "queries", "avg_ms", "max_memory", "read_bytes")), Param("limit", "UInt32", 50,
                                                                                              "rows to show")),
          links={"sample_query_id": "query-detail?query_id=sample_query_id"}, **_LOG),
    Panel(name="query_detail", title="Query", sql="dashboard/queries/detail",
          description="One query from query_log: status, timings, resources, tables, error.", params=(_QUERY_ID,),
          **_LOG),
    Panel(name="query_text", title="Query text", sql="dashboard/queries/detail", kind="text",
          y=("formatted", "exception"), description="One query's formatted text and its exception, if any.",
          params=(_QUERY_ID,), **_LOG),
    Panel(name="query_profile_events", title="Profile events", sql="dashboard/queries/profile_events",
          description="Profile events of one query, largest first.", params=(_QUERY_ID,), **_LOG),
    Panel(name="query_settings", title="Settings", sql="dashboard/queries/query_settings",
          description="Settings one query ran with (changed from default).", params=(_QUERY_ID,), **_LOG),
    Panel(name="queries_volume", title="Query volume", sql="dashboard/queries/volume", kind="line", x="t",
          y=("queries", "failed"), description="Queries and failed queries per time bucket in the window.",
          params=(_USER,), **_LOG),
    Panel(name="queries_by_user", title="Queries by user", sql="dashboard/queries/by_user", kind="bar", x="user",
          y=("queries",), description="Users ranked by queries in the window, with failures and total duration.",
          params=(Param("limit", "UInt32", 20, "rows to show"),), **_LOG),
    Panel(name="query_cache", title="Query cache", sql="dashboard/queries/query_cache",
          variants=(((25, 8), "dashboard/queries/query_cache_24_8"),),
          description="Entries of the query cache: size, staleness, expiry.", requires="query_cache",
          docs=docs_url("query_cache"), links=QUERY_LINK),
)

ACTIONS = (
    Action(name="kill_query", title="Kill query", sql="control/kill_query",
           description="Stops one running query.", params=(Param("query_id", "String", "", "query id to kill"),)),
    Action(name="kill_mutation", title="Kill mutation", sql="control/kill_mutation",
           description="Stops one mutation of a table.",
           params=(Param("database", "String", "", "database"), Param("table", "String", "", "table"),
                   Param("mutation_id", "String", "", "mutation id"))),
)

PAGES = (
    PageSpec("queries_running", "Running queries", "Queries", icon="▶️", rows=(("queries_running",),),
             actions=("kill_query",), requires="processes",
             intro="Queries running now; with a cluster picked, on every replica."),
    PageSpec("queries_history", "Query history", "Queries", icon="🕘",
             rows=(("queries_volume", "queries_by_user"), ("queries_history",)),
             filters=("user", "query_kind", "text", "status", "min_duration_ms", "limit"), requires="query_log"),
    PageSpec("queries_slow", "Slow queries", "Queries", icon="🐢", rows=(("queries_slow",),),
             filters=("min_duration_ms", "user", "table", "limit"), requires="query_log"),
    PageSpec("queries_failed", "Failed queries", "Queries", icon="❌", rows=(("queries_failed",),),
             filters=("limit",), requires="query_log"),
    PageSpec("queries_expensive", "Expensive queries", "Queries", icon="💸", rows=(("queries_expensive",),),
             filters=("order_by", "limit"), requires="query_log"),
    PageSpec("query_detail", "Query detail", "Queries", icon="🔎",
             rows=(("query_detail",), ("query_text",), ("query_profile_events", "query_settings")),
             filters=("query_id",), special="explain", requires="query_log",
             intro="Open a query id from any table, or paste one."),
    PageSpec("query_cache", "Query cache", "Queries", icon="🗃️", rows=(("query_cache",),), requires="query_cache"),
)

# What a question-matcher reads beside each panel: phrases in the words operators use.
ASK = {
    "queries_running": ("what is running now", "active queries in progress", "current processes processlist",
                        "queries executing at the moment", "what's running"),
    "queries_history": ("query log history", "recent queries of a user", "queries filtered by kind or text",
                        "what queries ran"),
    "queries_slow": ("longest queries by duration", "queries that took longest", "long duration queries", "query latency worst",
                     "heavy expensive slow queries"),
    "queries_failed": ("failed queries and their errors", "error message of each failed query", "queries ending in an error", "query errors exceptions", "queries that broke or errored",
                       "error messages of queries"),
    "queries_expensive": ("expensive query shapes", "normalized query patterns cost", "queries by total time",
                          "memory hungry queries", "costliest expensive queries", "queries using a lot of memory or cpu", "top queries by resources cpu read bytes"),
    "query_detail": ("details of one query id", "query status timings resources"),
    "query_text": ("text of one query id", "formatted sql of a query"),
    "query_profile_events": ("profile events of a query", "counters of one query"),
    "query_settings": ("settings one query ran with",),
    "queries_volume": ("how many queries", "queries per minute hour", "query rate volume load count over time",
                       "qps number of queries"),
    "queries_by_user": ("top users", "users running the most queries", "busiest users by query count",
                        "who sends the most queries"),
    "query_cache": ("query cache entries", "query result cache hit"),
}
