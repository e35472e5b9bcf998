-- The user's live threads, most recently updated first, after a keyset cursor (updated_at, id).
SELECT id, title, created_at, updated_at, message_count
FROM {threads}
WHERE user_id = %(user_id)s AND deleted_at IS NULL AND (updated_at, id) < (%(before_ts)s, %(before_id)s)
ORDER BY updated_at DESC, id DESC
LIMIT %(limit)s
