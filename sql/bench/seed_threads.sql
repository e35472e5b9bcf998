-- Benchmark fixture: n_threads threads ('bench-<n>') spread over n_users users ('user-<n>'), newest first by number.
INSERT INTO {db:Identifier}.{table:Identifier}
    (user_id, kind, thread_id, message_id, seq, role, name, title, content, metadata, created_at, updated_at,
     message_count, version, is_deleted)
SELECT
    concat('user-', toString(number % {n_users:UInt32})),
    'thread',
    concat('bench-', toString(number)),
    '', 0, '', '',
    concat('Question number ', toString(number)),
    '',
    '{}',
    now64(3) - toIntervalSecond({n_threads:UInt64} - number),
    now64(3) - toIntervalSecond({n_threads:UInt64} - number),
    {per_thread:UInt32},
    1,
    0
FROM numbers({n_threads:UInt64})
