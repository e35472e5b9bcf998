-- Which crashes the server recorded: time, signal, query and version.
SELECT
    event_time,
    signal,
    signal_description,
    query_id,
    substring(query, 1, 300) AS query,
    version
FROM merge('system', '^crash_log')
ORDER BY event_time DESC
LIMIT 200
