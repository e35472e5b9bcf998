-- Turn the user's (?1) live thread ?2 into a tombstone (?3 now in ms); returns its id when it was live.
UPDATE agent_threads SET deleted_at = CAST(?3 AS INTEGER), title = '', metadata = '{}', message_count = 0
WHERE user_id = ?1 AND id = ?2 AND deleted_at IS NULL
RETURNING id
