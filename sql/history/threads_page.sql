-- Conversations page: one page of the threads in scope (one user, or every user for an admin) that match the
-- filters (last activity window, text in title or content, tool used, has errors, model), newest first after the
-- keyset cursor (updated_at, user_id, thread_id); `matching` / `matching_messages` count every match, not the page.
-- An inactive filter's subquery has a constant-false WHERE, so it reads no data.
SELECT user_id, thread_id, title, created_at, updated_at, message_count, matching, matching_messages
FROM
(
    SELECT
        user_id, thread_id, title, created_at, updated_at, message_count,
        count() OVER () AS matching,
        sum(message_count) OVER () AS matching_messages
    FROM {db:Identifier}.{table:Identifier} FINAL
    WHERE kind = 'thread' AND ({all_users:Bool} OR user_id = {user_id:String})
      AND updated_at >= {start:DateTime64(3, 'UTC')} AND updated_at < {end:DateTime64(3, 'UTC')}
      AND (
          {text:String} = ''
          OR positionCaseInsensitiveUTF8(title, {text:String}) > 0
          OR (user_id, thread_id) IN (
              SELECT user_id, thread_id FROM {db:Identifier}.{table:Identifier}
              WHERE kind = 'message'
                AND {text:String} != '' AND ({all_users:Bool} OR user_id = {user_id:String}) AND is_deleted = 0
                AND positionCaseInsensitiveUTF8(content, {text:String}) > 0
          )
      )
      AND (
          {tool:String} = ''
          OR (user_id, thread_id) IN (
              SELECT user_id, thread_id FROM {db:Identifier}.{table:Identifier}
              WHERE kind = 'message'
                AND {tool:String} != '' AND ({all_users:Bool} OR user_id = {user_id:String}) AND is_deleted = 0
                AND role = 'tool' AND name = {tool:String}
          )
      )
      AND (
          NOT {has_errors:Bool}
          OR (user_id, thread_id) IN (
              SELECT user_id, thread_id FROM {db:Identifier}.{table:Identifier}
              WHERE kind = 'message'
                AND {has_errors:Bool} AND ({all_users:Bool} OR user_id = {user_id:String}) AND is_deleted = 0
                AND role IN ('tool', 'assistant') AND JSONExtractString(metadata, 'error') != ''
          )
      )
      AND (
          {model:String} = ''
          OR (user_id, thread_id) IN (
              SELECT user_id, thread_id FROM {db:Identifier}.{table:Identifier}
              WHERE kind = 'message'
                AND {model:String} != '' AND ({all_users:Bool} OR user_id = {user_id:String}) AND is_deleted = 0
                AND role = 'assistant' AND JSONExtractString(metadata, 'model') = {model:String}
          )
      )
)
WHERE (updated_at, user_id, thread_id) < ({before_ts:DateTime64(3, 'UTC')}, {before_user:String}, {before_id:String})
ORDER BY updated_at DESC, user_id DESC, thread_id DESC
LIMIT {limit:UInt32}
