-- One user's live threads whose title or any message contains the text (case-insensitive), newest first.
WITH matches AS
(
    SELECT thread_id, title, created_at, updated_at
    FROM {db:Identifier}.{threads:Identifier} FINAL
    WHERE user_id = {user_id:String}
      AND (
          positionCaseInsensitiveUTF8(title, {text:String}) > 0
          OR thread_id IN (
              SELECT thread_id FROM {db:Identifier}.{messages:Identifier}
              WHERE user_id = {user_id:String} AND positionCaseInsensitiveUTF8(content, {text:String}) > 0
          )
      )
    ORDER BY updated_at DESC, thread_id DESC
    LIMIT {limit:UInt32}
)
SELECT matches.thread_id, matches.title, matches.created_at, matches.updated_at, ifNull(counts.n, 0) AS message_count
FROM matches
LEFT JOIN
(
    SELECT thread_id, uniqExact(message_id) AS n
    FROM {db:Identifier}.{messages:Identifier}
    WHERE user_id = {user_id:String} AND thread_id IN (SELECT thread_id FROM matches)
    GROUP BY thread_id
) AS counts USING (thread_id)
ORDER BY matches.updated_at DESC, matches.thread_id DESC
