-- Benchmark fixture: per_thread alternating user/assistant messages (~200 bytes each) for every bench thread.
INSERT INTO {db:Identifier}.{table:Identifier}
    (user_id, kind, thread_id, message_id, seq, role, name, title, content, metadata, created_at, updated_at,
     message_count, version, is_deleted)
SELECT
    concat('user-', toString(intDiv(number, {per_thread:UInt32}) % {n_users:UInt32})),
    'message',
    concat('bench-', toString(intDiv(number, {per_thread:UInt32}))),
    lower(hex(MD5(toString(number)))),
    number,
    if(number % 2 = 0, 'user', 'assistant'),
    if(number % 2 = 0, '', 'builtin'),
    '',
    concat('message ', toString(number), ' ', repeat('about merges and parts ', 8)),
    '{}',
    now64(3),
    now64(3),
    0,
    1,
    0
FROM numbers({n_threads:UInt64} * {per_thread:UInt32})
