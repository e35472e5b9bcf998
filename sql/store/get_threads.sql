-- One or several threads of one user with their messages, in one scan of their key ranges (their thread rows,
-- their messages). Unmerged versions come back too: the caller keeps the highest version per row, drops threads
-- whose latest row is a tombstone (or missing) and orders each thread's live messages by `seq`. No ORDER BY or
-- LIMIT BY here: planning them costs more than sorting a few rows in Python.
SELECT thread_id, kind, message_id, seq, role, name, title, content, metadata, created_at, updated_at, is_deleted,
       version
FROM {db:Identifier}.{table:Identifier}
PREWHERE user_id = {user_id:String} AND kind IN ('thread', 'message') AND thread_id IN {thread_ids:Array(String)}
