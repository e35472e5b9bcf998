"""Replication and cluster: replicas, queue, read-only replicas, fetches, distributed DDL, cluster topology."""

from __future__ import annotations

from dashboard.panels import PageSpec, Panel, Param, docs_url

_TABLE_LINK = {"table": "table-detail?database=database&table=table"}
_ONE_TABLE = (Param("database", "String", "", "database (empty: all)"), Param("table", "String", "", "table (empty: all)"))
_KEEPER = "configure ClickHouse Keeper (or ZooKeeper) and the `<distributed_ddl>` section"
# Why the embedded engine never has rows here (`Panel.needs_server`): it runs no Keeper and belongs to no cluster.
_REPLICATED = "Replicated tables, which need ClickHouse Keeper; the embedded engine runs none, so it has no replicas"
_CLUSTER = "a cluster in `<remote_servers>`; the embedded engine is one process inside the app and belongs to none"

PANELS = (
    Panel(name="replicas",
          units={"absolute_delay": "s", "queue_size": "count", "inserts_in_queue": "count",
                 "merges_in_queue": "count"},
          labels={"absolute_delay": "Delay"},
          title="Replicas", sql="dashboard/replication/replicas",
          cluster_sql="dashboard/replication/replicas_cluster",
          description="Replicated tables: read-only, delay, queue, active replicas, errors.", ttl=15,
          params=_ONE_TABLE, requires="replicas", docs=docs_url("replicas"), links=_TABLE_LINK,
          needs_server=_REPLICATED),
    Panel(name="replication_queue", title="Replication queue", sql="dashboard/replication/queue",
          units={"num_tries": "count", "num_postponed": "count"},
          labels={"num_tries": "Tries", "num_postponed": "Postponed"},
          description="Replication tasks waiting or retrying, oldest first.", ttl=15, requires="replication_queue",
          docs=docs_url("replication_queue"), links=_TABLE_LINK, needs_server=_REPLICATED),
    Panel(name="readonly_replicas", title="Read-only replicas", sql="dashboard/replication/readonly",
          units={"readonly_duration": "s"},
          labels={"readonly_duration": "Read-only for"},
          variants=(((25, 8), "dashboard/replication/readonly_24_8"),),
          description="Replicas in read-only mode and since when.", ttl=15, requires="replicas",
          docs=docs_url("replicas"), links=_TABLE_LINK, needs_server=_REPLICATED),
    Panel(name="replicated_fetches",
          units={"elapsed_s": "s", "progress_pct": "pct", "total_size_bytes_compressed": "bytes",
                 "bytes_read_compressed": "bytes"},
          labels={"elapsed_s": "Elapsed", "progress_pct": "Progress",
                 "total_size_bytes_compressed": "Size (compressed)",
                 "bytes_read_compressed": "Fetched (compressed)"},
          title="Fetches", sql="dashboard/replication/fetches",
          description="Parts being fetched from other replicas now.", ttl=5, requires="replicated_fetches",
          docs=docs_url("replicated_fetches"), links=_TABLE_LINK, needs_server=_REPLICATED),
    Panel(name="distributed_ddl_queue", title="Distributed DDL queue", sql="dashboard/replication/ddl_queue",
          units={"query_duration_ms": "ms"}, labels={"query_duration_ms": "Duration"},
          description="ON CLUSTER statements queued or failed per host.", requires="distributed_ddl_queue",
          docs=docs_url("distributed_ddl_queue"), enable=_KEEPER,
          acceptable_errors=frozenset({"NO_ELEMENTS_IN_CONFIG", "UNKNOWN_TABLE"}),
          needs_server="ON CLUSTER statements, which need Keeper and a `<distributed_ddl>` section; the embedded "
          "engine has neither"),
    Panel(name="zookeeper",
          units={"children": "count", "data_bytes": "bytes"},
          title="Keeper znodes", sql="dashboard/replication/zookeeper",
          params=(Param("path", "String", "/clickhouse", "Keeper path"),),
          description="Znodes under a Keeper (ZooKeeper) path: children, data size, last change.", ttl=15,
          requires="zookeeper", docs=docs_url("zookeeper"), enable=_KEEPER,
          acceptable_errors=frozenset({"NO_ELEMENTS_IN_CONFIG", "UNKNOWN_TABLE", "KEEPER_EXCEPTION"}),
          needs_server="ClickHouse Keeper (or ZooKeeper); the embedded engine connects to none"),
    Panel(name="clusters",
          units={"errors_count": "count", "slowdowns_count": "count"},
          labels={"errors_count": "Errors", "slowdowns_count": "Slowdowns"},
          title="Clusters", sql="dashboard/replication/clusters",
          description="Configured clusters: shards, replicas, hosts, error counts.", ttl=60, requires="clusters",
          docs=docs_url("clusters"), needs_server=_CLUSTER),
    Panel(name="distribution_queue",
          units={"error_count": "count", "data_files": "count", "data_compressed_bytes": "bytes",
                 "broken_data_files": "count"},
          labels={"data_compressed_bytes": "Size (compressed)"},
          title="Distributed send queue", sql="dashboard/replication/distribution_queue",
          description="Files Distributed tables still have to send to shards.", ttl=15, requires="distribution_queue",
          docs=docs_url("distribution_queue"), links=_TABLE_LINK,
          needs_server=f"Distributed tables, which send to the shards of {_CLUSTER}"),
)

PAGES = (
    PageSpec("replicas", "Replicas", "Replication & cluster", icon=":material/content_copy:",
             rows=(("replicas",), ("zookeeper",)), filters=("path",), requires="replicas"),
    PageSpec("replication_queue", "Replication queue", "Replication & cluster", icon=":material/queue:",
             rows=(("replication_queue",),), requires="replication_queue"),
    PageSpec("readonly_replicas", "Read-only replicas", "Replication & cluster", icon=":material/lock:",
             rows=(("readonly_replicas",),), requires="replicas"),
    PageSpec("fetches", "Fetches", "Replication & cluster", icon=":material/download:", rows=(("replicated_fetches",),),
             requires="replicated_fetches"),
    PageSpec("ddl_queue", "Distributed DDL queue", "Replication & cluster", icon=":material/send:",
             rows=(("distributed_ddl_queue",), ("distribution_queue",)), requires="distributed_ddl_queue"),
    PageSpec("clusters", "Clusters", "Replication & cluster", icon=":material/hub:",
             rows=(("clusters",),), requires="clusters"),
)

# What a question-matcher reads beside each panel: phrases in the words operators use.
ASK = {
    "replicas": ("replication status", "replication health", "healthy replicated tables", "replica delay lag", "replicated tables queue",
                 "replicas of a table"),
    "replication_queue": ("replication queue tasks", "stuck replication entries", "waiting retrying replication"),
    "readonly_replicas": ("read-only replicas", "replicas in readonly mode", "keeper session lost readonly"),
    "replicated_fetches": ("fetches from other replicas", "parts being downloaded by replication"),
    "distributed_ddl_queue": ("ddl statements queued on cluster", "on cluster statements failed", "ddl queued per host"),
    "zookeeper": ("keeper znodes under a path", "zookeeper nodes children data", "browse the keeper tree",
                  "coordination paths of replicated tables"),
    "clusters": ("topology of the configured clusters", "shards replicas hosts of clusters", "remote servers configuration"),
    "distribution_queue": ("distributed send queue", "files distributed tables still have to send",
                           "pending inserts to shards"),
}
