-- History analytics: questions the built-in assistant did not understand (its answer's metadata `intent` is
-- 'unknown'), with the user question that came right before that answer, newest first.
SELECT created_at AS answered_at, user_id, thread_id, question
FROM
(
    SELECT
        user_id, thread_id, created_at, role, metadata,
        lagInFrame(content) OVER w AS question,
        lagInFrame(role) OVER w AS previous_role
    FROM {db:Identifier}.{table:Identifier} FINAL
    WHERE kind = 'message' AND ({all_users:Bool} OR user_id = {user_id:String})
      AND role IN ('user', 'assistant')
      AND created_at >= {start:DateTime64(3, 'UTC')} AND created_at < {end:DateTime64(3, 'UTC')}
    WINDOW w AS (PARTITION BY user_id, thread_id ORDER BY seq ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
)
WHERE role = 'assistant' AND previous_role = 'user' AND JSONExtractString(metadata, 'intent') = 'unknown'
ORDER BY answered_at DESC
LIMIT {limit:UInt32}
