-- Which errors happened since the server started: count, last time, last message.
-- Variant for servers before 25.8, where system.errors has no query_id.
SELECT
    name,
    code,
    value AS count,
    last_error_time,
    substring(last_error_message, 1, 300) AS last_error_message,
    remote
FROM system.errors
ORDER BY last_error_time DESC
LIMIT 1000
