-- Failed tool calls with their error
SELECT created_at, thread_id, name AS tool, JSONExtractString(metadata, 'error_name') AS error_name,
       JSONExtractString(metadata, 'error') AS error
FROM messages
WHERE role = 'tool' AND JSONExtractString(metadata, 'error') != ''
ORDER BY created_at DESC
LIMIT 50
