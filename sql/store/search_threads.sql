-- One user's live threads whose title or any message contains the text (case-insensitive), newest first.
SELECT thread_id, title, created_at, updated_at, message_count
FROM {db:Identifier}.{table:Identifier} FINAL
WHERE user_id = {user_id:String} AND kind = 'thread'
  AND (
      positionCaseInsensitiveUTF8(title, {text:String}) > 0
      OR thread_id IN (
          SELECT thread_id FROM {db:Identifier}.{table:Identifier}
          WHERE user_id = {user_id:String} AND kind = 'message' AND is_deleted = 0
            AND positionCaseInsensitiveUTF8(content, {text:String}) > 0
      )
  )
ORDER BY updated_at DESC, thread_id DESC
LIMIT {limit:UInt32}
