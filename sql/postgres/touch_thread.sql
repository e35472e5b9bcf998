-- After an append: move the thread to the top, count the new messages, set the title if it has none.
UPDATE {threads}
SET updated_at = GREATEST(updated_at, %(now)s),
    message_count = message_count + %(added)s,
    title = CASE WHEN title = '' THEN %(title)s ELSE title END
WHERE user_id = %(user_id)s AND id = %(thread_id)s AND deleted_at IS NULL
