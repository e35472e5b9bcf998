-- Every live thread of one user with its latest row (for deleting them all).
SELECT thread_id, title, metadata, created_at, updated_at, message_count, version
FROM {db:Identifier}.{table:Identifier} FINAL
WHERE user_id = {user_id:String} AND kind = 'thread'
