-- Layout migration, step 2: copies every row of the old thread table (all versions, tombstones too) as 'thread' rows.
INSERT INTO {db:Identifier}.{table:Identifier}
    (user_id, kind, thread_id, message_id, seq, role, name, title, content, metadata, created_at, updated_at,
     message_count, version, is_deleted)
SELECT user_id, 'thread', thread_id, '', 0, '', '', title, '', metadata, created_at, updated_at, message_count,
       version, is_deleted
FROM {db:Identifier}.{old:Identifier}
