-- Conversations and messages per day
SELECT toDate(created_at) AS day, count() AS messages, uniqExact(user_id, thread_id) AS conversations
FROM messages
GROUP BY day
ORDER BY day
