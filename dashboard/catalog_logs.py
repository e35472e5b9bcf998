"""Metrics and logs: metrics, events, asynchronous metrics, errors, text log, crash log, logins."""

from __future__ import annotations

from dashboard.panels import PageSpec, Panel, Param, docs_url

_TEXT = Param("text", "String", "", "name or text contains")
_LIMIT = Param("limit", "UInt32", 500, "rows")

PANELS = (
    Panel(name="metrics",
          units={"value": "count"},
          title="Metrics", sql="dashboard/logs/metrics", params=(_TEXT,), ttl=10,
          description="Current gauges of the server.", requires="metrics", docs=docs_url("metrics")),
    Panel(name="events",
          units={"value": "count"},
          title="Events", sql="dashboard/logs/events", params=(_TEXT,), ttl=10,
          description="Cumulative event counters since the server started.", requires="events",
          docs=docs_url("events")),
    Panel(name="asynchronous_metrics", title="Asynchronous metrics", sql="dashboard/logs/asynchronous_metrics",
          params=(_TEXT,), ttl=30, description="Periodically computed metrics: memory, load, disks, uptime.",
          requires="asynchronous_metrics", docs=docs_url("asynchronous_metrics"),
          enable="use a ClickHouse server (the embedded engine does not compute asynchronous metrics)",
          acceptable_errors=frozenset({"UNKNOWN_TABLE"}),
          needs_server="asynchronous metrics, which only a server computes: the embedded engine has no "
          "system.asynchronous_metrics table"),
    Panel(name="errors", title="Errors since start", sql="dashboard/logs/errors",
          units={"count": "count"},
          variants=(((25, 8), "dashboard/logs/errors_24_8"),), ttl=15,
          description="Error codes seen since start with counts and the last message.", requires="errors",
          docs=docs_url("errors"), links={"query_id": "query-detail?query_id=query_id"}),
    Panel(name="error_log", title="Errors over time", sql="dashboard/logs/error_log", kind="bar", x="t",
          y=("errors",), color="error", description="Errors per bucket by error name (error_log).",
          requires="error_log", docs=docs_url("error_log")),
    Panel(name="text_log", title="Text log", sql="dashboard/logs/text_log",
          params=(Param("level", "String", "Information", "level at or above",
                        ("Fatal", "Critical", "Error", "Warning", "Notice", "Information", "Debug", "Trace")),
                  _TEXT, _LIMIT),
          description="Server log lines in the window at or above a level.", requires="text_log",
          docs=docs_url("text_log"), links={"query_id": "query-detail?query_id=query_id"}),
    Panel(name="crash_log", title="Crash log", sql="dashboard/logs/crash_log", ttl=60,
          variants=(((26, 2), "dashboard/logs/crash_log_24_8"),),
          description="Crashes the server recorded.", requires="crash_log", docs=docs_url("crash_log"),
          needs_server="a crash that the server survives to record: the embedded engine runs inside the app, and its "
          "crash would end the app with it"),
    Panel(name="logins", title="Logins", sql="dashboard/logs/logins",
          params=(Param("only_failures", "UInt8", 0, "only failures (1/0)", (0, 1)), _LIMIT),
          description="Logins, failures and logouts in the window (session_log).", requires="session_log",
          docs=docs_url("session_log")),
)

PAGES = (
    PageSpec("metrics", "Metrics", "Metrics & logs", icon=":material/straighten:",
             rows=(("metrics",),), filters=("text",),
             requires="metrics"),
    PageSpec("events", "Events", "Metrics & logs", icon=":material/pin:", rows=(("events",),), filters=("text",),
             requires="events"),
    PageSpec("asynchronous_metrics", "Asynchronous metrics", "Metrics & logs", icon=":material/timer:",
             rows=(("asynchronous_metrics",),), filters=("text",), requires="asynchronous_metrics"),
    PageSpec("errors", "Errors", "Metrics & logs", icon=":material/report:", rows=(("error_log",), ("errors",)),
             requires="errors"),
    PageSpec("text_log", "Text log", "Metrics & logs", icon=":material/article:", rows=(("text_log",),),
             filters=("level", "text", "limit"), requires="text_log"),
    PageSpec("crash_log", "Crash log", "Metrics & logs", icon=":material/bug_report:",
             rows=(("crash_log",),), requires="crash_log"),
    PageSpec("logins", "Logins", "Metrics & logs", icon=":material/key:", rows=(("logins",),),
             filters=("only_failures", "limit"), requires="session_log"),
)

# What a question-matcher reads beside each panel: phrases in the words operators use.
ASK = {
    "metrics": ("current metrics gauges", "value of a metric now", "system metrics",
                "threads and background pool tasks in flight", "TCPConnection HTTPConnection MemoryTracking",
                "live counts of active queries, open connections, running merges and mutations",
                "gauges of the server's activity at this instant",
                "GlobalThread QueryThread ReadonlyReplica OpenFileForRead"),
    "events": ("counters of events since startup", "profile events totals", "cumulative counters",
               "totals since the server started", "SelectQuery InsertQuery FailedQuery FailedSelectQuery",
               "InsertedRows InsertedBytes SelectedRows SelectedBytes ReadCompressedBytes",
               "MarkCacheHits MarkCacheMisses ZooKeeperTransactions"),
    "asynchronous_metrics": ("async metrics", "load average os memory jemalloc", "periodic metrics",
                             "MemoryResident OSIOWaitTime"),
    "errors": ("server errors", "error counters since start", "cumulative count of each error since the server started", "error codes counted by the server",
               "error codes counts last message", "MEMORY_LIMIT_EXCEEDED TIMEOUT_EXCEEDED NETWORK_ERROR by name"),
    "error_log": ("error history by time bucket", "error rate history", "error spikes per minute"),
    "text_log": ("server log", "text log lines", "log warnings and errors", "what did the server log"),
    "crash_log": ("crashes", "recent crashes", "crash log stack trace", "segfault fatal signal"),
    "logins": ("logins", "user logins to the server", "users logged in", "who connected", "failed logins authentication", "sessions logouts"),
}
