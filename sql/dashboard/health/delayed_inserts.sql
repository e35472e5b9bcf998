-- How many inserts the server delayed in the window because a partition had too many parts (metric_log).
SELECT
    toFloat64(sum(ProfileEvent_DelayedInserts)) AS value,
    '' AS detail
FROM merge('system', '^metric_log')
WHERE event_date >= toDate({start:DateTime}) AND event_time >= {start:DateTime} AND event_time <= {end:DateTime}
LIMIT 1
