-- The live message ids of some threads of one user (to write their tombstones).
SELECT thread_id, message_id
FROM {db:Identifier}.{messages:Identifier} FINAL
WHERE user_id = {user_id:String} AND thread_id IN {thread_ids:Array(String)}
