-- The latest live version of one thread of one user, and which of the given message ids it already holds.
SELECT
    thread_id, title, metadata, created_at, updated_at, version,
    (
        SELECT groupArray(message_id) FROM {db:Identifier}.{messages:Identifier}
        WHERE user_id = {user_id:String} AND thread_id = {thread_id:String} AND message_id IN {ids:Array(String)}
    ) AS existing
FROM {db:Identifier}.{threads:Identifier} FINAL
WHERE user_id = {user_id:String} AND thread_id = {thread_id:String}
