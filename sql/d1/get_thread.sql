-- One live thread of the user (?1 user, ?2 id).
SELECT id, title, metadata, created_at, updated_at
FROM agent_threads
WHERE user_id = ?1 AND id = ?2 AND deleted_at IS NULL
