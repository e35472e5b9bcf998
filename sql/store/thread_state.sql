-- What an append, rename or delete needs, in one read of one key range: the thread's rows and the rows of each
-- given message id it already holds (an append skips those, so a retry stores nothing twice). Unmerged versions
-- come back too; the caller keeps the highest version per row and checks `is_deleted`. No ORDER BY, LIMIT BY or
-- FINAL, and the key filter written as PREWHERE: this read sits on every append, and those steps cost more to
-- plan than the few rows cost to sort in Python.
SELECT kind, message_id, title, metadata, created_at, updated_at, message_count, version, is_deleted
FROM {db:Identifier}.{table:Identifier}
PREWHERE user_id = {user_id:String} AND thread_id = {thread_id:String}
  AND ((kind = 'thread' AND message_id = '') OR (kind = 'message' AND message_id IN {ids:Array(String)}))
