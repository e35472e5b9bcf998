"""Health: each check is a panel whose SQL returns `value` (and `detail`), with its thresholds declared on its `Check`.

A new check is an SQL file under `sql/dashboard/health/` plus one `_check(...)` here; its two thresholds become the
settings `CHM_HEALTH_<NAME>_WARNING` / `_CRITICAL` (documented in README's table) with no edit to the settings.
"""

from __future__ import annotations

from typing import Literal

from dashboard.panels import Check, PageSpec, Panel, Param, docs_url


def _check(name: str, title: str, requires: str, unit: str, *, meaning: str, action: str, warning: float,
           critical: float, worse: Literal["higher", "lower"], source: str, params: tuple[Param, ...] = (),
           ttl: int = 30) -> Panel:
    return Panel(
        name=f"health_{name}", title=title, sql=f"dashboard/health/{name}", kind="kpi", y=("value",),
        description=f"Health check: {meaning}", requires=requires, docs=docs_url(requires), params=params, ttl=ttl,
        check=Check(name=name, meaning=meaning, action=action, unit=unit, warning=warning, critical=critical,
                    source=source, higher_is_worse=worse == "higher"),
    )


PANELS = (
    _check(
        "readonly_replicas", "Read-only replicas", "replicas", "tables",
        meaning="replicated tables that refuse inserts (Keeper session lost or metadata broken).",
        action="Check Keeper connectivity (system.zookeeper_connection) and the replica's zookeeper_exception; "
               "SYSTEM RESTART REPLICA once Keeper is back.",
        warning=1, critical=1, worse="higher",
        source="any read-only replica refuses inserts (ClickHouse docs, system.replicas: is_readonly).",
    ),
    _check(
        "replication_lag", "Replication lag", "replicas", "s",
        meaning="how far the most delayed replica is behind; reads there return stale data.",
        action="Look at the replication queue and fetches of that table; check network and disk of the lagging host.",
        warning=300, critical=1800, worse="higher",
        source="default of max_replica_delay_for_distributed_queries, 300 s; Altinity KB's lag alert, 30 min.",
    ),
    _check(
        "replication_queue_age", "Stuck replication queue", "replication_queue", "s",
        meaning="the oldest replication task still waiting or retrying.",
        action="Read last_exception and postpone_reason of the oldest entries; fix the cause or drop the broken part.",
        warning=600, critical=3600, worse="higher",
        source="Altinity KB 'stuck replication queue': older than minutes needs a look, older than an hour is stuck.",
    ),
    _check(
        "parts_per_partition", "Parts per partition vs parts_to_throw_insert", "parts", "%",
        meaning="how close the fullest partition is to the point where inserts fail with TOO_MANY_PARTS.",
        action="Insert in bigger batches (or use async inserts), use a coarser partition key, let merges catch up.",
        warning=33, critical=80, worse="higher",
        source="33 % = parts_to_delay_insert / parts_to_throw_insert (1000 / 3000 by default, MergeTree settings).",
    ),
    _check(
        "delayed_inserts", "Delayed inserts", "metric_log", "inserts",
        meaning="inserts the server slowed down because a partition passed parts_to_delay_insert.",
        action="Batch inserts, check that merges keep up (Merges pages).",
        warning=1, critical=100, worse="higher",
        source="any delayed insert means a partition passed parts_to_delay_insert (MergeTree settings docs).",
    ),
    _check(
        "rejected_inserts", "Rejected inserts", "metric_log", "inserts",
        meaning="inserts refused with TOO_MANY_PARTS; the client has to resend them.",
        action="Batch inserts at once; consider async_insert=1; check merges and disk.",
        warning=1, critical=1, worse="higher",
        source="a rejected insert is data the client must resend (TOO_MANY_PARTS, MergeTree settings docs).",
    ),
    _check(
        "rows_per_insert", "Rows per insert", "query_log", "rows",
        meaning="average rows an INSERT writes; tiny inserts create many parts and merges.",
        action="Batch on the client, or turn on async_insert=1 with wait_for_async_insert=1.",
        warning=1000, critical=10, worse="lower",
        source="ClickHouse docs 'Bulk inserts': insert at least 1,000 rows at a time, ideally 10,000-100,000.",
    ),
    _check(
        "long_running_queries", "Long-running queries", "processes", "s",
        meaning="the query running longest right now.",
        action="Open Running queries; kill it if it should not run (CHM_ENABLE_CONTROL_ACTIONS), or add limits.",
        warning=300, critical=1800, worse="higher",
        source="chmonitor (TypeScript)'s long-running query check, 5 min; critical at 30 min.",
        ttl=10,
    ),
    _check(
        "detached_parts", "Detached parts", "detached_parts", "parts",
        meaning="parts moved aside as broken or unexpected; they hold disk and may be lost data.",
        action="Look at their reason (Detached parts page); ATTACH what is valid, DROP DETACHED what is not.",
        warning=1, critical=50, worse="higher",
        source="Altinity KB 'detached parts': any unexpected detached part deserves a look.",
    ),
    _check(
        "stuck_mutations", "Stuck or failing mutations", "mutations", "mutations",
        meaning="mutations that fail or run longer than allowed; they block merges of their parts.",
        action="Read latest_fail_reason (Mutations page); fix the cause or KILL MUTATION.",
        warning=1, critical=5, worse="higher",
        source="ClickHouse docs 'mutations': a failing mutation retries forever until killed.",
        params=(Param("stuck_after_s", "UInt32", 3600, "seconds after which an unfinished mutation is stuck"),),
    ),
    _check(
        "disk_used", "Disk used", "disks", "%",
        meaning="how full the fullest disk is; a full disk stops inserts and merges.",
        action="Drop or move old partitions, add TTLs, add a disk or volume.",
        warning=80, critical=90, worse="higher",
        source="the disk alerts of the Grafana ClickHouse plugin and Altinity's dashboards, at 80 % and 90 %.",
    ),
    _check(
        "memory_used", "Memory used", "metrics", "%",
        meaning="tracked memory as a share of max_server_memory_usage; at 100 % queries fail with "
                "MEMORY_LIMIT_EXCEEDED.",
        action="Find the heavy queries (Running queries, Expensive queries); lower max_memory_usage per query.",
        warning=80, critical=90, worse="higher",
        source="Altinity dashboards' memory alert at 80 % / 90 % of max_server_memory_usage.",
    ),
    _check(
        "dictionary_errors", "Dictionary errors", "dictionaries", "dictionaries",
        meaning="dictionaries that failed to load and serve stale or no data.",
        action="Read last_exception on the Dictionaries page; fix the source and SYSTEM RELOAD DICTIONARY.",
        warning=1, critical=1, worse="higher",
        source="a failed dictionary serves stale or no data (ClickHouse docs, system.dictionaries).",
    ),
    _check(
        "uptime", "Recent restart", "metrics", "s",
        meaning="how long the server has been up; a short uptime means a restart.",
        action="If nobody restarted it, look at the Crash log and the text log around the start.",
        warning=3600, critical=300, worse="lower",
        source="a restart within the last hour or 5 minutes, as chmonitor (TypeScript)'s recent-restart check.",
    ),
    _check(
        "distribution_queue", "Distributed send queue", "distribution_queue", "files",
        meaning="files Distributed tables still have to send; a growing queue means a shard does not receive.",
        action="Check the target shards' reachability and errors (Distributed DDL queue page, last_exception).",
        warning=100, critical=1000, worse="higher",
        source="Altinity KB: DistributedFilesToInsert growing past hundreds means a shard is not receiving.",
    ),
    _check(
        "data_integrity", "Replica data-integrity events", "events", "events",
        meaning="lost parts, failed checksums and failed fetches between replicas since start.",
        action="Read the text log for the parts involved; SYSTEM SYNC REPLICA and compare row counts across replicas.",
        warning=1, critical=10, worse="higher",
        source="ClickHouse docs: ReplicatedDataLoss and ReplicatedPartChecksFailed profile events should stay 0.",
    ),
    _check(
        "unreachable_nodes", "Unreachable cluster nodes", "clusters", "hosts",
        meaning="cluster hosts with recent connection errors; distributed queries skip or fail on them.",
        action="Check the host, its network and the remote_servers config (Clusters page).",
        warning=1, critical=2, worse="higher",
        source="one host with connection errors is degraded, two or more risk a shard (system.clusters errors_count).",
    ),
    _check(
        "error_spikes", "Error spikes", "error_log", "errors/min",
        meaning="errors in the busiest minute of the window.",
        action="Open the Errors page for the error names and the failing queries.",
        warning=10, critical=100, worse="higher",
        source="Grafana ClickHouse mixin's error-rate alert, in magnitude: 10/min noisy, 100/min an incident.",
    ),
    _check(
        "system_log_size", "System log size", "parts", "GiB",
        meaning="disk taken by system.*_log tables.",
        action="Set a `<ttl>` on the system logs in the server config, or TRUNCATE the largest ones.",
        warning=10, critical=50, worse="higher",
        source="Altinity KB 'system tables eat my disk': logs past tens of GiB need a TTL.",
    ),
    _check(
        "system_log_ttl", "System logs without TTL", "tables", "tables",
        meaning="system log tables that nothing trims; they grow until the disk is full.",
        action="Add `<ttl>event_date + INTERVAL 30 DAY</ttl>` to each log's section of the server config.",
        warning=1, critical=100, worse="higher",
        source="ClickHouse docs, system log `<ttl>`: without it system logs are never trimmed.",
    ),
    _check(
        "table_count", "Table count", "tables", "%",
        meaning="tables as a share of the server's max_table_num_to_warn.",
        action="Drop unused tables; many small tables cost memory and startup time.",
        warning=80, critical=100, worse="higher",
        source="percent of the server setting max_table_num_to_warn (default 5000), where the server warns itself.",
    ),
    _check(
        "part_count", "Part count", "parts", "%",
        meaning="active parts as a share of the server's max_part_num_to_warn.",
        action="Batch inserts and coarsen partitioning; many parts slow startup, merges and queries.",
        warning=80, critical=100, worse="higher",
        source="percent of the server setting max_part_num_to_warn (default 100000), where the server warns itself.",
    ),
    _check(
        "async_insert_errors", "Async insert errors", "asynchronous_insert_log", "inserts",
        meaning="asynchronous inserts that failed to parse or flush in the window.",
        action="Read the exception on the Async inserts page; fix the client's data format.",
        warning=1, critical=10, worse="higher",
        source="a failed async insert loses its buffered rows unless the client waited (ClickHouse docs).",
    ),
    _check(
        "failed_queries", "Failed query share", "query_log", "%",
        meaning="share of queries in the window that failed.",
        action="Open Failed queries for the error names and the users sending them.",
        warning=5, critical=20, worse="higher",
        source="the Grafana ClickHouse mixin's failed-query ratio: 5 % warning, 20 % critical.",
    ),
)

PAGES = (
    PageSpec("health", "Health", "Health", icon=":material/health_and_safety:",
             rows=tuple((p.name,) for p in PANELS), special="health",
             intro="Each check: status, measured value, thresholds, meaning and what to do."),
)

READS = {"health_memory_used": ("metrics", "server_settings"), "health_part_count": ("parts", "server_settings"),
         "health_parts_per_partition": ("parts", "merge_tree_settings"),
         "health_table_count": ("tables", "server_settings")}
# The Health page as a whole (every check at once), as a question-matcher finds it.
HEALTH_PHRASES = ("server health overall", "healthy or unhealthy", "health check status", "anything wrong with the server",
                  "problems issues alerts", "how is the server doing",
                  "why is clickhouse slow or sluggish", "where to look first when something is wrong",
                  "status report, is everything ok")
# What a question-matcher reads beside each check: phrases in the words operators use.
ASK = {
    "health_readonly_replicas": ("replicas refusing inserts", "readonly replica keeper lost"),
    "health_replication_lag": ("lag of the most delayed replica", "replica behind stale reads"),
    "health_replication_queue_age": ("oldest replication task", "replication queue stuck age"),
    "health_parts_per_partition": ("close to too many parts", "parts_to_throw_insert limit"),
    "health_delayed_inserts": ("inserts slowed down", "delayed inserts check"),
    "health_rejected_inserts": ("inserts refused too many parts", "rejected inserts check"),
    "health_rows_per_insert": ("rows per insert", "tiny small inserts batch size"),
    "health_long_running_queries": ("query running too long", "queries running longer than a few minutes"),
    "health_detached_parts": ("detached parts check", "count of detached parts"),
    "health_stuck_mutations": ("stuck mutations check", "failing mutations blocking merges"),
    "health_disk_used": ("fullest disk", "running out of disk space"),
    "health_memory_used": ("memory limit close", "memory used share of max server memory", "running out of memory"),
    "health_dictionary_errors": ("dictionaries failed check", "dictionary errors"),
    "health_uptime": ("uptime", "recent restart check"),
    "health_distribution_queue": ("distributed queue growing", "shard not receiving"),
    "health_data_integrity": ("lost parts checksum failures", "replica data integrity"),
    "health_unreachable_nodes": ("cluster hosts failing to connect",),
    "health_error_spikes": ("error burst", "errors in the busiest minute"),
    "health_system_log_size": ("system log size", "disk taken by system logs", "system log tables grown too large"),
    "health_system_log_ttl": ("system logs without ttl", "log tables nothing trims"),
    "health_table_count": ("too many tables", "table count limit", "total number of tables on the server"),
    "health_part_count": ("too many parts overall", "part count limit"),
    "health_async_insert_errors": ("async insert errors", "asynchronous inserts failed to parse"),
    "health_failed_queries": ("share of failed queries", "failure rate percent"),
}
