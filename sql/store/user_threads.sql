-- Every live thread of one user with what its tombstone carries over from its latest row (for deleting them all;
-- a tombstone keeps no title or metadata, so neither is read).
SELECT thread_id, created_at, updated_at, message_count, version
FROM {db:Identifier}.{table:Identifier} FINAL
WHERE user_id = {user_id:String} AND kind = 'thread'
