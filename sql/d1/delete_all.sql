-- Turn every live thread of the user (?1) into a tombstone (?2 now in ms); returns their ids.
UPDATE agent_threads SET deleted_at = CAST(?2 AS INTEGER), title = '', metadata = '{}', message_count = 0
WHERE user_id = ?1 AND deleted_at IS NULL
RETURNING id
