-- A page of one user's live threads, most recently updated first, after the keyset cursor (updated_at, thread_id).
WITH page AS
(
    SELECT thread_id, title, created_at, updated_at
    FROM {db:Identifier}.{threads:Identifier} FINAL
    WHERE user_id = {user_id:String}
      AND (updated_at, thread_id) < ({before_ts:DateTime64(3, 'UTC')}, {before_id:String})
    ORDER BY updated_at DESC, thread_id DESC
    LIMIT {limit:UInt32}
)
SELECT page.thread_id, page.title, page.created_at, page.updated_at, ifNull(counts.n, 0) AS message_count
FROM page
LEFT JOIN
(
    SELECT thread_id, uniqExact(message_id) AS n
    FROM {db:Identifier}.{messages:Identifier}
    WHERE user_id = {user_id:String} AND thread_id IN (SELECT thread_id FROM page)
    GROUP BY thread_id
) AS counts USING (thread_id)
ORDER BY page.updated_at DESC, page.thread_id DESC
