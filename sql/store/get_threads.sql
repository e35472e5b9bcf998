-- Several threads of one user with their messages, in one scan (exports read conversations a batch at a time):
-- the latest version of each row, highest version first. The caller drops threads whose latest row is a tombstone
-- and orders each thread's live messages by `seq`.
SELECT thread_id, kind, message_id, seq, role, name, title, content, metadata, created_at, updated_at, is_deleted
FROM {db:Identifier}.{table:Identifier}
WHERE user_id = {user_id:String} AND kind IN ('thread', 'message') AND thread_id IN {thread_ids:Array(String)}
ORDER BY version DESC
LIMIT 1 BY kind, thread_id, message_id
