-- Which queries finished or failed in the window, filtered by user, kind, text, status and minimum duration.
SELECT
    event_time,
    query_id,
    user,
    query_kind,
    type AS status,
    query_duration_ms,
    read_rows,
    read_bytes,
    written_rows,
    memory_usage,
    exception_code,
    substring(query, 1, 300) AS query
FROM merge('system', '^query_log')
WHERE event_date >= toDate({start:DateTime}) AND event_time >= {start:DateTime} AND event_time <= {end:DateTime}
    AND type != 'QueryStart'
    AND ({hide_own:UInt8} = 0 OR log_comment != {tag:String})
    AND ({user:String} = '' OR user = {user:String})
    AND ({query_kind:String} = '' OR query_kind = {query_kind:String})
    AND ({text:String} = '' OR positionCaseInsensitive(query, {text:String}) > 0)
    AND ({status:String} = ''
        OR ({status:String} = 'ok' AND type = 'QueryFinish')
        OR ({status:String} = 'failed' AND type != 'QueryFinish'))
    AND query_duration_ms >= {min_duration_ms:UInt64}
ORDER BY event_time DESC
LIMIT {limit:UInt32}
