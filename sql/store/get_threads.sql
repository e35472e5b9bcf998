-- One or several threads of one user with their messages, in one scan of their key ranges (their thread rows,
-- their messages): the latest version of each row, highest version first. Cheaper than FINAL plus a subquery. The
-- caller drops threads whose latest row is a tombstone (or missing) and orders each thread's live messages by `seq`.
SELECT thread_id, kind, message_id, seq, role, name, title, content, metadata, created_at, updated_at, is_deleted
FROM {db:Identifier}.{table:Identifier}
WHERE user_id = {user_id:String} AND kind IN ('thread', 'message') AND thread_id IN {thread_ids:Array(String)}
ORDER BY version DESC
LIMIT 1 BY kind, thread_id, message_id
