-- Rename the user's live thread; returns its id when it exists.
UPDATE {threads} SET title = %(title)s
WHERE user_id = %(user_id)s AND id = %(thread_id)s AND deleted_at IS NULL
RETURNING id
