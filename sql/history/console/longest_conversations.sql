-- Longest conversations
SELECT title, message_count, created_at, updated_at, thread_id
FROM threads
ORDER BY message_count DESC, updated_at DESC
LIMIT 20
