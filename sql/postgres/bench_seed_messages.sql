-- Benchmark fixture: per_thread alternating user/assistant messages (~200 bytes each) for every bench thread.
INSERT INTO {messages} (user_id, thread_id, message_type, role, name, content, data, checksum, created_at)
SELECT 'user-' || mod(x.t, %(n_users)s::bigint), 'bench-' || x.t,
       CASE WHEN mod(n, 2) = 0 THEN 'user' ELSE 'agent' END,
       CASE WHEN mod(n, 2) = 0 THEN 'user' ELSE 'assistant' END,
       CASE WHEN mod(n, 2) = 0 THEN '' ELSE 'builtin' END,
       'message ' || n || ' ' || repeat('about merges and parts ', 8), '{{}}'::jsonb, md5(n::text), now()
FROM generate_series(0, %(n_threads)s::bigint * %(per_thread)s::bigint - 1) AS n, LATERAL (SELECT n / %(per_thread)s::bigint AS t) AS x
ORDER BY n
