-- Store the messages of an append (?3: a JSON array, in order) if the user's thread (?1, ?2) is live; one statement,
-- so a delete either comes before (nothing stored) or after (its message delete removes them). Returns the new ones.
INSERT INTO agent_messages (user_id, thread_id, message_type, role, name, content, data, checksum, created_at)
SELECT ?1, ?2, json_extract(j.value, '$.message_type'), json_extract(j.value, '$.role'),
       json_extract(j.value, '$.name'), json_extract(j.value, '$.content'), json_extract(j.value, '$.data'),
       json_extract(j.value, '$.checksum'), json_extract(j.value, '$.created_at')
FROM json_each(?3) AS j
WHERE EXISTS (SELECT 1 FROM agent_threads AS t WHERE t.user_id = ?1 AND t.id = ?2 AND t.deleted_at IS NULL)
ORDER BY j.key
ON CONFLICT (user_id, thread_id, checksum) DO NOTHING
RETURNING checksum
