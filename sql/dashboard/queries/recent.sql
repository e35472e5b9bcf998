-- Which queries finished or failed most recently in the window (the pick list of the query detail page).
SELECT
    query_id,
    event_time,
    user,
    type AS status,
    query_duration_ms,
    substring(query, 1, 120) AS query
FROM merge('system', '^query_log')
WHERE event_date >= toDate({start:DateTime}) AND event_time >= {start:DateTime} AND event_time <= {end:DateTime}
    AND type != 'QueryStart'
    AND ({hide_own:UInt8} = 0 OR log_comment != {tag:String})
ORDER BY event_time DESC
LIMIT {limit:UInt32}
