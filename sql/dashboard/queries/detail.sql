-- What one query was: its full text, status, timings, resources, tables and error, from query_log.
SELECT
    query_id,
    type AS status,
    event_time,
    query_start_time,
    query_duration_ms,
    user,
    query_kind,
    current_database,
    read_rows,
    read_bytes,
    written_rows,
    result_rows,
    memory_usage,
    errorCodeToName(exception_code) AS error,
    exception,
    arrayStringConcat(tables, ', ') AS tables,
    formatQuerySingleLineOrNull(query) AS formatted,
    query
FROM merge('system', '^query_log')
WHERE event_date >= toDate({start:DateTime}) - 30 AND query_id = {query_id:String} AND type != 'QueryStart'
ORDER BY event_time DESC
LIMIT 1
