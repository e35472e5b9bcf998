-- What a delete needs, in one read of one key range: the thread's rows and the rows of every message it holds
-- (each live one gets a tombstone). As in `thread_state`, unmerged versions come back and the caller keeps the
-- highest version per row.
SELECT kind, message_id, title, metadata, created_at, updated_at, message_count, version, is_deleted
FROM {db:Identifier}.{table:Identifier}
PREWHERE user_id = {user_id:String} AND thread_id = {thread_id:String}
  AND ((kind = 'thread' AND message_id = '') OR kind = 'message')
