-- The user's (?1) live threads whose title or a message contains ?2 (lower-cased, ASCII case folding), newest first.
SELECT t.id, t.title, t.created_at, t.updated_at, t.message_count
FROM agent_threads AS t
WHERE t.user_id = ?1 AND t.deleted_at IS NULL
  AND (instr(lower(t.title), lower(?2)) > 0
       OR EXISTS (SELECT 1 FROM agent_messages AS m
                  WHERE m.user_id = t.user_id AND m.thread_id = t.id AND instr(lower(m.content), lower(?2)) > 0))
ORDER BY t.updated_at DESC, t.id DESC
LIMIT CAST(?3 AS INTEGER)
