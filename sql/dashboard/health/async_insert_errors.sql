-- How many asynchronous inserts failed to parse or flush in the window (asynchronous_insert_log).
SELECT
    toFloat64(countIf(status != 'Ok')) AS value,
    concat(toString(count()), ' async inserts') AS detail
FROM merge('system', '^asynchronous_insert_log')
WHERE event_date >= toDate({start:DateTime}) AND event_time >= {start:DateTime} AND event_time <= {end:DateTime}
LIMIT 1
