-- Which recent queries touched one table: time, kind, duration, rows, status.
SELECT
    event_time,
    query_id,
    user,
    query_kind,
    type AS status,
    query_duration_ms,
    read_rows,
    written_rows,
    substring(query, 1, 300) AS query
FROM merge('system', '^query_log')
WHERE event_date >= toDate({start:DateTime}) AND event_time >= {start:DateTime} AND event_time <= {end:DateTime}
    AND type != 'QueryStart'
    AND has(tables, concat({database:String}, '.', {table:String}))
    AND ({hide_own:UInt8} = 0 OR log_comment != {tag:String})
ORDER BY event_time DESC
LIMIT 200
