-- How many inserts the server rejected in the window with TOO_MANY_PARTS (metric_log).
SELECT
    toFloat64(sum(ProfileEvent_RejectedInserts)) AS value,
    '' AS detail
FROM merge('system', '^metric_log')
WHERE event_date >= toDate({start:DateTime}) AND event_time >= {start:DateTime} AND event_time <= {end:DateTime}
LIMIT 1
