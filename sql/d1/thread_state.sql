-- Whether the user's thread (?1 user, ?2 id) exists and whether it was deleted.
SELECT deleted_at IS NOT NULL AS deleted FROM agent_threads WHERE user_id = ?1 AND id = ?2
