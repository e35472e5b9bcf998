-- Which errors the server has counted since it started, most frequent first, with the last message.
SELECT
    name AS error,
    code,
    value AS count,
    last_error_time,
    substring(last_error_message, 1, 300) AS last_message
FROM system.errors
ORDER BY value DESC
LIMIT {limit:UInt32}
