-- The user's live threads whose title or any message contains the text, case-insensitively, newest first.
SELECT t.id, t.title, t.created_at, t.updated_at, t.message_count
FROM {threads} AS t
WHERE t.user_id = %(user_id)s AND t.deleted_at IS NULL
  AND (strpos(lower(t.title), lower(%(text)s)) > 0
       OR EXISTS (SELECT 1 FROM {messages} AS m
                  WHERE m.user_id = t.user_id AND m.thread_id = t.id AND strpos(lower(m.content), lower(%(text)s)) > 0))
ORDER BY t.updated_at DESC, t.id DESC
LIMIT %(limit)s
