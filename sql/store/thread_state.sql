-- What an append, rename or delete needs, in one read of one key range: the latest row of the thread and the latest
-- row of each given message id it already holds (an append skips those, so a retry stores nothing twice).
-- Latest = highest version (no FINAL: one thread's rows, sorted here); the caller checks `is_deleted`.
SELECT kind, message_id, title, metadata, created_at, updated_at, message_count, version, is_deleted
FROM {db:Identifier}.{table:Identifier}
WHERE user_id = {user_id:String} AND thread_id = {thread_id:String}
  AND ((kind = 'thread' AND message_id = '') OR (kind = 'message' AND message_id IN {ids:Array(String)}))
ORDER BY version DESC
LIMIT 1 BY kind, message_id
