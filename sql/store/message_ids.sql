-- The live message ids of some threads of one user (to write their tombstones).
SELECT thread_id, message_id
FROM {db:Identifier}.{table:Identifier} FINAL
WHERE user_id = {user_id:String} AND kind = 'message' AND thread_id IN {thread_ids:Array(String)}
