-- The latest live version of one thread of one user, how many messages it holds, and which of the given message
-- ids it already holds (an append skips those, so a retry stores nothing twice).
SELECT
    thread_id, title, metadata, created_at, updated_at, version,
    (
        SELECT uniqExact(message_id) FROM {db:Identifier}.{messages:Identifier}
        WHERE user_id = {user_id:String} AND thread_id = {thread_id:String} AND is_deleted = 0
    ) AS message_count,
    (
        SELECT groupArray(message_id) FROM {db:Identifier}.{messages:Identifier}
        WHERE user_id = {user_id:String} AND thread_id = {thread_id:String} AND message_id IN {ids:Array(String)}
    ) AS existing
FROM {db:Identifier}.{threads:Identifier} FINAL
WHERE user_id = {user_id:String} AND thread_id = {thread_id:String}
