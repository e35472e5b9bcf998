-- How many queries started per time bucket in the window, and how many of them failed (optionally of one user).
SELECT
    toStartOfInterval(event_time, toIntervalSecond({step:UInt32})) AS t,
    countIf(type != 'QueryStart') AS queries,
    countIf(type IN ('ExceptionBeforeStart', 'ExceptionWhileProcessing')) AS failed
FROM merge('system', '^query_log')
WHERE event_date >= toDate({start:DateTime}) AND event_time >= {start:DateTime} AND event_time <= {end:DateTime}
    AND ({user:String} = '' OR user = {user:String})
    AND ({hide_own:UInt8} = 0 OR log_comment != {tag:String})
GROUP BY t
ORDER BY t WITH FILL FROM toStartOfInterval({start:DateTime}, toIntervalSecond({step:UInt32})) TO {end:DateTime} STEP toIntervalSecond({step:UInt32})
LIMIT 2000
