-- Create a thread; an existing row (live or a tombstone) is left alone and nothing is returned.
INSERT INTO {threads} (user_id, id, title, metadata, created_at, updated_at)
VALUES (%(user_id)s, %(thread_id)s, %(title)s, %(metadata)s, %(now)s, %(now)s)
ON CONFLICT (user_id, id) DO NOTHING
RETURNING id
