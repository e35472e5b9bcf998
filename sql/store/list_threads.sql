-- The first page of one user's live threads, most recently updated first (later pages: `list_threads_after`, which
-- adds the keyset cursor; without it this statement plans measurably faster, and the first page is most lists).
SELECT thread_id, title, created_at, updated_at, message_count
FROM {db:Identifier}.{table:Identifier} FINAL
WHERE user_id = {user_id:String} AND kind = 'thread'
ORDER BY updated_at DESC, thread_id DESC
LIMIT {limit:UInt32}
