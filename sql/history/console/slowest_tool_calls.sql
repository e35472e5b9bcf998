-- Slowest tool calls and their SQL
SELECT created_at, thread_id, name AS tool, JSONExtractFloat(metadata, 'duration_ms') AS duration_ms,
       JSONExtractString(metadata, 'sql') AS sql
FROM messages
WHERE role = 'tool'
ORDER BY duration_ms DESC
LIMIT 20
