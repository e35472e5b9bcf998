-- SQL console: the only tables a console query reads, `threads` and `messages`, as CTEs holding the live rows in
-- scope (one user, or every user for an admin). The guarded console query is appended as a subquery: `( … )`.
WITH
    threads AS (
        SELECT user_id, thread_id, title, metadata, created_at, updated_at, message_count
        FROM {db:Identifier}.{table:Identifier} FINAL
        WHERE kind = 'thread' AND ({all_users:Bool} OR user_id = {user_id:String})
    ),
    messages AS (
        SELECT user_id, thread_id, message_id, seq, role, name, content, metadata, created_at
        FROM {db:Identifier}.{table:Identifier} FINAL
        WHERE kind = 'message' AND ({all_users:Bool} OR user_id = {user_id:String})
    )
SELECT * FROM
