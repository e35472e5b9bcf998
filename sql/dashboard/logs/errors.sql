-- Which errors happened since the server started: count, last time, last message.
SELECT
    name,
    code,
    value AS count,
    last_error_time,
    substring(last_error_message, 1, 300) AS last_error_message,
    remote,
    query_id
FROM system.errors
ORDER BY last_error_time DESC
LIMIT 1000
