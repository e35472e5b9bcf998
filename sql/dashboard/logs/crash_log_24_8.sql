-- Which crashes the server recorded: time, signal, thread, query id and version.
-- Variant for servers before 26.2, where system.crash_log has no query or signal_description.
SELECT
    event_time,
    signal,
    thread_id,
    query_id,
    version
FROM merge('system', '^crash_log')
ORDER BY event_time DESC
LIMIT 200
