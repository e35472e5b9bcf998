-- The user's (?1) live threads, newest first, after the keyset cursor (?2 updated_at in ms, ?3 id); ?4 rows.
SELECT id, title, created_at, updated_at, message_count
FROM agent_threads
WHERE user_id = ?1 AND deleted_at IS NULL AND (updated_at, id) < (CAST(?2 AS INTEGER), ?3)
ORDER BY updated_at DESC, id DESC
LIMIT CAST(?4 AS INTEGER)
