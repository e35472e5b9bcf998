-- Lock the user's live thread for an append: a delete waits for it, and an append after a delete finds nothing.
SELECT title FROM {threads}
WHERE user_id = %(user_id)s AND id = %(thread_id)s AND deleted_at IS NULL
FOR NO KEY UPDATE
