-- How much memory the server tracked (MemoryTracking), peak and average per bucket (metric_log).
SELECT
    toStartOfInterval(event_time, toIntervalSecond({step:UInt32})) AS t,
    max(CurrentMetric_MemoryTracking) AS peak_bytes,
    round(avg(CurrentMetric_MemoryTracking)) AS avg_bytes
FROM merge('system', '^metric_log')
WHERE event_date >= toDate({start:DateTime}) AND event_time >= {start:DateTime} AND event_time <= {end:DateTime}
GROUP BY t
ORDER BY t WITH FILL FROM toStartOfInterval({start:DateTime}, toIntervalSecond({step:UInt32})) TO {end:DateTime} STEP toIntervalSecond({step:UInt32})
LIMIT 2000
