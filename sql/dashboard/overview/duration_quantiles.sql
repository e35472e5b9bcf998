-- How long finished queries took: p50, p95 and p99 of query_duration_ms per bucket (query_log).
SELECT
    toStartOfInterval(event_time, toIntervalSecond({step:UInt32})) AS t,
    round(quantile(0.5)(query_duration_ms), 1) AS p50_ms,
    round(quantile(0.95)(query_duration_ms), 1) AS p95_ms,
    round(quantile(0.99)(query_duration_ms), 1) AS p99_ms
FROM merge('system', '^query_log')
WHERE event_date >= toDate({start:DateTime}) AND event_time >= {start:DateTime} AND event_time <= {end:DateTime}
    AND type = 'QueryFinish'
    AND ({hide_own:UInt8} = 0 OR log_comment != {tag:String})
GROUP BY t
ORDER BY t WITH FILL FROM toStartOfInterval({start:DateTime}, toIntervalSecond({step:UInt32})) TO {end:DateTime} STEP toIntervalSecond({step:UInt32})
LIMIT 2000
