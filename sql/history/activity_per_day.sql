-- History analytics: conversations started and messages written per day in the window (gapless, UTC days).
SELECT day, sum(conversations) AS conversations, sum(messages) AS messages
FROM
(
    SELECT toDate(created_at) AS day, count() AS conversations, 0 AS messages
    FROM {db:Identifier}.{table:Identifier} FINAL
    WHERE kind = 'thread' AND ({all_users:Bool} OR user_id = {user_id:String})
      AND created_at >= {start:DateTime64(3, 'UTC')} AND created_at < {end:DateTime64(3, 'UTC')}
    GROUP BY day
    UNION ALL
    SELECT toDate(created_at) AS day, 0 AS conversations, count() AS messages
    FROM {db:Identifier}.{table:Identifier} FINAL
    WHERE kind = 'message' AND ({all_users:Bool} OR user_id = {user_id:String})
      AND created_at >= {start:DateTime64(3, 'UTC')} AND created_at < {end:DateTime64(3, 'UTC')}
    GROUP BY day
)
GROUP BY day
ORDER BY day
    WITH FILL FROM toDate({start:DateTime64(3, 'UTC')}) TO toDate({end:DateTime64(3, 'UTC')}) + 1 STEP 1
