-- At a glance: version, uptime, running queries, queries and failures today, disk used %, active parts, running merges.
SELECT
    version() AS version,
    uptime() AS uptime_seconds,
    (SELECT count() FROM system.processes) AS running_queries,
    (SELECT countIf(type != 'QueryStart') FROM merge('system', '^query_log')
        WHERE event_date = today() AND ({hide_own:UInt8} = 0 OR log_comment != {tag:String})) AS queries_today,
    (SELECT countIf(type IN ('ExceptionBeforeStart', 'ExceptionWhileProcessing')) FROM merge('system', '^query_log')
        WHERE event_date = today() AND ({hide_own:UInt8} = 0 OR log_comment != {tag:String})) AS failed_today,
    (SELECT round(100 * (1 - sum(free_space) / greatest(sum(total_space), 1)), 1) FROM system.disks) AS disk_used_pct,
    (SELECT count() FROM system.parts WHERE active) AS active_parts,
    (SELECT count() FROM system.merges) AS running_merges
LIMIT 1
