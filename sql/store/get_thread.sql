-- One thread of one user with its messages, in one scan of the thread's two key ranges (its thread rows, its
-- messages): the latest version of each row, highest version first. The caller drops the thread when its latest row
-- is a tombstone (or missing) and orders the live messages by `seq`. Cheaper than FINAL plus a subquery.
SELECT kind, message_id, seq, role, name, title, content, metadata, created_at, updated_at, is_deleted
FROM {db:Identifier}.{table:Identifier}
WHERE user_id = {user_id:String} AND kind IN ('thread', 'message') AND thread_id = {thread_id:String}
ORDER BY version DESC
LIMIT 1 BY kind, message_id
