-- Which queries run right now on every replica of the cluster: host, elapsed, progress, memory, text.
SELECT
    hostName() AS host,
    query_id,
    user,
    round(elapsed, 2) AS elapsed_s,
    if(total_rows_approx > 0, round(100 * read_rows / total_rows_approx, 1), NULL) AS progress_pct,
    memory_usage,
    peak_memory_usage,
    read_rows,
    read_bytes,
    query_kind,
    substring(query, 1, 500) AS query
FROM clusterAllReplicas({cluster:String}, system.processes)
WHERE ({hide_own:UInt8} = 0 OR Settings['log_comment'] != {tag:String})
    AND ({user:String} = '' OR user = {user:String})
ORDER BY elapsed DESC
LIMIT {limit:UInt32}
