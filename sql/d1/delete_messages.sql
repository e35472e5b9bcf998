-- Remove every message of the user's (?1) deleted threads (also cleans up after an interrupted delete).
DELETE FROM agent_messages
WHERE user_id = ?1
  AND thread_id IN (SELECT id FROM agent_threads WHERE user_id = ?1 AND deleted_at IS NOT NULL)
