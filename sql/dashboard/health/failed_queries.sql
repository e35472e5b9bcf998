-- What share (percent) of the queries in the window failed.
SELECT
    if(count() = 0, NULL, round(100 * countIf(type != 'QueryFinish') / count(), 2)) AS value,
    concat(toString(countIf(type != 'QueryFinish')), ' of ', toString(count()), ' queries failed') AS detail
FROM merge('system', '^query_log')
WHERE event_date >= toDate({start:DateTime}) AND event_time >= {start:DateTime} AND event_time <= {end:DateTime}
    AND type != 'QueryStart'
    AND ({hide_own:UInt8} = 0 OR log_comment != {tag:String})
LIMIT 1
