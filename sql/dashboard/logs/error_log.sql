-- How often each error happened per bucket over the window (error_log).
SELECT
    toStartOfInterval(event_time, toIntervalSecond({step:UInt32})) AS t,
    error,
    sum(value) AS errors
FROM merge('system', '^error_log')
WHERE event_date >= toDate({start:DateTime}) AND event_time >= {start:DateTime} AND event_time <= {end:DateTime}
GROUP BY t, error
ORDER BY error, t WITH FILL FROM toStartOfInterval({start:DateTime}, toIntervalSecond({step:UInt32})) TO {end:DateTime} STEP toIntervalSecond({step:UInt32})
LIMIT 5000
