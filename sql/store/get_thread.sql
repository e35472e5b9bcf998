-- One thread of one user with its messages in append order, in one round trip; no row when missing or deleted.
-- The thread row is read with FINAL (latest version, tombstones hide it). Messages are written once per id and only
-- tombstoned together with their thread, so LIMIT 1 BY message_id is enough to fold a racing duplicate.
SELECT
    thread_id, title, metadata, created_at, updated_at,
    (
        SELECT groupArray((message_id, role, name, content, created_at, metadata))
        FROM
        (
            SELECT message_id, role, name, content, created_at, metadata
            FROM {db:Identifier}.{table:Identifier}
            WHERE user_id = {user_id:String} AND kind = 'message' AND thread_id = {thread_id:String}
              AND is_deleted = 0
            ORDER BY seq
            LIMIT 1 BY message_id
        )
    ) AS messages
FROM {db:Identifier}.{table:Identifier} FINAL
WHERE user_id = {user_id:String} AND kind = 'thread' AND thread_id = {thread_id:String}
