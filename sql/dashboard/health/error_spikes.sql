-- How many errors the server recorded in its busiest minute of the window (error_log).
SELECT
    toFloat64(max(errors)) AS value,
    concat('busiest minute ', toString(argMax(minute, errors))) AS detail
FROM (
    SELECT toStartOfMinute(event_time) AS minute, sum(value) AS errors
    FROM merge('system', '^error_log')
    WHERE event_date >= toDate({start:DateTime}) AND event_time >= {start:DateTime} AND event_time <= {end:DateTime}
    GROUP BY minute
)
LIMIT 1
