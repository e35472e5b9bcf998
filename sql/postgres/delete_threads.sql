-- Turn the user's live threads (all of them, or the listed ids) into tombstones; returns the ids deleted.
UPDATE {threads}
SET deleted_at = %(now)s, title = '', metadata = '{{}}'::jsonb, message_count = 0
WHERE user_id = %(user_id)s AND deleted_at IS NULL AND (%(all)s OR id = ANY(%(ids)s))
RETURNING id
