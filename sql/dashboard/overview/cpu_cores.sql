-- How many CPU cores ClickHouse kept busy, on average per bucket (metric_log, OS CPU virtual time).
SELECT
    toStartOfInterval(event_time, toIntervalSecond({step:UInt32})) AS t,
    round(sum(ProfileEvent_OSCPUVirtualTimeMicroseconds) / 1e6 / {step:UInt32}, 3) AS cpu_cores
FROM merge('system', '^metric_log')
WHERE event_date >= toDate({start:DateTime}) AND event_time >= {start:DateTime} AND event_time <= {end:DateTime}
GROUP BY t
ORDER BY t WITH FILL FROM toStartOfInterval({start:DateTime}, toIntervalSecond({step:UInt32})) TO {end:DateTime} STEP toIntervalSecond({step:UInt32})
LIMIT 2000
