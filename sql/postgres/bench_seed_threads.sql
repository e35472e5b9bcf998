-- Benchmark fixture: n_threads threads ('bench-<n>') spread over n_users users ('user-<n>'), newest first by number.
INSERT INTO {threads} (user_id, id, title, metadata, created_at, updated_at, message_count)
SELECT 'user-' || mod(n, %(n_users)s::bigint), 'bench-' || n, 'Question number ' || n, '{{}}'::jsonb,
       now() - make_interval(secs => (%(n_threads)s::bigint - n)::double precision),
       now() - make_interval(secs => (%(n_threads)s::bigint - n)::double precision),
       %(per_thread)s::bigint
FROM generate_series(0, %(n_threads)s::bigint - 1) AS n
