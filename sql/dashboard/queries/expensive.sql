-- Which query shapes (normalized_query_hash) cost most in the window: count, total/avg time, memory, bytes read.
SELECT
    toString(normalized_query_hash) AS query_hash,
    count() AS queries,
    round(sum(query_duration_ms) / 1000, 3) AS total_s,
    round(avg(query_duration_ms), 1) AS avg_ms,
    max(memory_usage) AS max_memory,
    sum(read_bytes) AS read_bytes,
    sum(read_rows) AS read_rows,
    any(query_id) AS sample_query_id,
    substring(any(query), 1, 300) AS sample_query
FROM merge('system', '^query_log')
WHERE event_date >= toDate({start:DateTime}) AND event_time >= {start:DateTime} AND event_time <= {end:DateTime}
    AND type = 'QueryFinish'
    AND ({hide_own:UInt8} = 0 OR log_comment != {tag:String})
GROUP BY normalized_query_hash
ORDER BY {order_by:Identifier} DESC
LIMIT {limit:UInt32}
