-- Which queries failed in the window (optionally of one user): time, error name, message, query text.
SELECT
    event_time,
    user,
    errorCodeToName(exception_code) AS error,
    substring(exception, 1, 300) AS exception,
    query_id,
    substring(query, 1, 300) AS query
FROM merge('system', '^query_log')
WHERE event_date >= toDate({start:DateTime}) AND event_time >= {start:DateTime} AND event_time <= {end:DateTime}
    AND type IN ('ExceptionBeforeStart', 'ExceptionWhileProcessing')
    AND ({user:String} = '' OR user = {user:String})
    AND ({hide_own:UInt8} = 0 OR log_comment != {tag:String})
ORDER BY event_time DESC
LIMIT {limit:UInt32}
