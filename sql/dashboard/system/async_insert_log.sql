-- How asynchronous inserts were flushed in the window: table, rows, bytes, status and error.
SELECT
    event_time,
    database,
    table,
    format,
    rows,
    bytes,
    status,
    flush_time,
    substring(exception, 1, 300) AS exception,
    query_id
FROM merge('system', '^asynchronous_insert_log')
WHERE event_date >= toDate({start:DateTime}) AND event_time >= {start:DateTime} AND event_time <= {end:DateTime}
ORDER BY event_time DESC
LIMIT {limit:UInt32}
