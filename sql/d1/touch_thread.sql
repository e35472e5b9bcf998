-- After an append to the user's live thread (?1, ?2): move it to the top (?3 now in ms), recount, set a title (?4).
UPDATE agent_threads
SET updated_at = max(updated_at, CAST(?3 AS INTEGER)),
    message_count = (SELECT count(*) FROM agent_messages AS m WHERE m.user_id = ?1 AND m.thread_id = ?2),
    title = CASE WHEN title = '' THEN ?4 ELSE title END
WHERE user_id = ?1 AND id = ?2 AND deleted_at IS NULL
RETURNING id
