-- Which users ran the most queries in the window, with their total duration and failures.
SELECT
    user,
    count() AS queries,
    countIf(type != 'QueryFinish') AS failed,
    round(sum(query_duration_ms) / 1000, 3) AS total_duration_s,
    sum(read_rows) AS rows_read
FROM merge('system', '^query_log')
WHERE event_date >= toDate({start:DateTime}) AND event_time >= {start:DateTime} AND event_time <= {end:DateTime}
    AND type != 'QueryStart'
    AND ({hide_own:UInt8} = 0 OR log_comment != {tag:String})
GROUP BY user
ORDER BY queries DESC
LIMIT {limit:UInt32}
