-- How many queries failed per bucket, before start and while running (query_log).
SELECT
    toStartOfInterval(event_time, toIntervalSecond({step:UInt32})) AS t,
    countIf(type = 'ExceptionBeforeStart') AS failed_before_start,
    countIf(type = 'ExceptionWhileProcessing') AS failed_while_running
FROM merge('system', '^query_log')
WHERE event_date >= toDate({start:DateTime}) AND event_time >= {start:DateTime} AND event_time <= {end:DateTime}
    AND type IN ('ExceptionBeforeStart', 'ExceptionWhileProcessing')
    AND ({hide_own:UInt8} = 0 OR log_comment != {tag:String})
GROUP BY t
ORDER BY t WITH FILL FROM toStartOfInterval({start:DateTime}, toIntervalSecond({step:UInt32})) TO {end:DateTime} STEP toIntervalSecond({step:UInt32})
LIMIT 2000
