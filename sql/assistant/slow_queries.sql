-- Which finished queries took longest in the window (optionally of one user or touching one table).
SELECT
    event_time,
    query_duration_ms,
    user,
    query_kind,
    read_rows,
    formatReadableSize(memory_usage) AS memory,
    query_id,
    substring(query, 1, 300) AS query
FROM merge('system', '^query_log')
WHERE event_date >= toDate({start:DateTime}) AND event_time >= {start:DateTime} AND event_time <= {end:DateTime}
    AND type = 'QueryFinish'
    AND ({user:String} = '' OR user = {user:String})
    AND ({table:String} = '' OR has(tables, {table:String}))
    AND ({hide_own:UInt8} = 0 OR log_comment != {tag:String})
ORDER BY query_duration_ms DESC
LIMIT {limit:UInt32}
