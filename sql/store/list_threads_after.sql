-- A later page of one user's live threads, most recently updated first, after the keyset cursor (updated_at,
-- thread_id) of the previous page's last thread.
SELECT thread_id, title, created_at, updated_at, message_count
FROM {db:Identifier}.{table:Identifier} FINAL
WHERE user_id = {user_id:String} AND kind = 'thread'
  AND (updated_at, thread_id) < ({before_ts:DateTime64(3, 'UTC')}, {before_id:String})
ORDER BY updated_at DESC, thread_id DESC
LIMIT {limit:UInt32}
