-- One live thread of the user.
SELECT id, title, metadata, created_at, updated_at
FROM {threads}
WHERE user_id = %(user_id)s AND id = %(thread_id)s AND deleted_at IS NULL
