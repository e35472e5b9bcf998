-- Which finished queries took longest in the window (optionally of one user or reading one `db.table`).
SELECT
    query_id,
    event_time,
    user,
    query_kind,
    query_duration_ms,
    read_rows,
    read_bytes,
    memory_usage,
    substring(query, 1, 300) AS query
FROM merge('system', '^query_log')
WHERE event_date >= toDate({start:DateTime}) AND event_time >= {start:DateTime} AND event_time <= {end:DateTime}
    AND type = 'QueryFinish'
    AND ({hide_own:UInt8} = 0 OR log_comment != {tag:String})
    AND query_duration_ms >= {min_duration_ms:UInt64}
    AND ({user:String} = '' OR user = {user:String})
    AND ({table:String} = '' OR has(tables, {table:String}))
ORDER BY query_duration_ms DESC
LIMIT {limit:UInt32}
