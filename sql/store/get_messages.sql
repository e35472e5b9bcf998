-- The live messages of one thread of one user, in the order they were appended.
SELECT message_id, role, name, content, created_at, metadata
FROM {db:Identifier}.{messages:Identifier} FINAL
WHERE user_id = {user_id:String} AND thread_id = {thread_id:String}
ORDER BY seq, message_id
