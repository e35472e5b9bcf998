-- What the query cache holds: entries, sizes, staleness and expiry.
-- Variant for servers before 25.8, where system.query_cache has no query_id.
SELECT
    substring(query, 1, 300) AS query,
    result_size,
    stale,
    shared,
    compressed,
    expires_at,
    toString(key_hash) AS key_hash
FROM system.query_cache
ORDER BY result_size DESC
LIMIT 500
