-- The latest live version of one thread of one user, how many messages it holds, and which of the given message
-- ids it already holds (an append skips those, so a retry stores nothing twice). One scan of the thread's messages.
SELECT
    thread_id, title, metadata, created_at, updated_at, version,
    (
        SELECT (uniqExactIf(message_id, is_deleted = 0), groupUniqArrayIf(message_id, message_id IN {ids:Array(String)}))
        FROM {db:Identifier}.{messages:Identifier}
        WHERE user_id = {user_id:String} AND thread_id = {thread_id:String}
    ) AS messages_seen
FROM {db:Identifier}.{threads:Identifier} FINAL
WHERE user_id = {user_id:String} AND thread_id = {thread_id:String}
