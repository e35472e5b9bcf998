-- Which queries are running right now (optionally of one user): elapsed seconds, memory, rows read, text.
SELECT
    query_id,
    user,
    round(elapsed, 2) AS elapsed_s,
    formatReadableSize(memory_usage) AS memory,
    read_rows,
    query_kind,
    substring(query, 1, 300) AS query
FROM system.processes
WHERE ({user:String} = '' OR user = {user:String})
    AND ({hide_own:UInt8} = 0 OR Settings['log_comment'] != {tag:String})
ORDER BY elapsed DESC
LIMIT {limit:UInt32}
