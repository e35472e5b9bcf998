-- Layout migration, step 3: copies every row of the old message table (all versions, tombstones too) as 'message'
-- rows.
INSERT INTO {db:Identifier}.{table:Identifier}
    (user_id, kind, thread_id, message_id, seq, role, name, title, content, metadata, created_at, updated_at,
     message_count, version, is_deleted)
SELECT user_id, 'message', thread_id, message_id, seq, role, name, '', content, metadata, created_at, created_at, 0,
       version, is_deleted
FROM {db:Identifier}.{old:Identifier}
