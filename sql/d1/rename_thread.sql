-- Rename the user's (?1) live thread ?2 to ?3; returns its id when it exists.
UPDATE agent_threads SET title = ?3 WHERE user_id = ?1 AND id = ?2 AND deleted_at IS NULL RETURNING id
