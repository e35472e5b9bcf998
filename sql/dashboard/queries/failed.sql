-- Which queries failed in the window (optionally of one user), with their error name and message.
SELECT
    event_time,
    query_id,
    user,
    type,
    errorCodeToName(exception_code) AS error,
    substring(exception, 1, 300) AS exception,
    substring(query, 1, 300) AS query
FROM merge('system', '^query_log')
WHERE event_date >= toDate({start:DateTime}) AND event_time >= {start:DateTime} AND event_time <= {end:DateTime}
    AND type IN ('ExceptionBeforeStart', 'ExceptionWhileProcessing')
    AND ({hide_own:UInt8} = 0 OR log_comment != {tag:String})
    AND ({user:String} = '' OR user = {user:String})
ORDER BY event_time DESC
LIMIT {limit:UInt32}
