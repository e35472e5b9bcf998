-- The messages of one thread of the user (?1 user, ?2 id), in append order.
SELECT checksum, role, name, content, data, created_at
FROM agent_messages
WHERE user_id = ?1 AND thread_id = ?2
ORDER BY seq
