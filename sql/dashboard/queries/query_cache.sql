-- What the query cache holds: entries, sizes, staleness and expiry.
SELECT
    substring(query, 1, 300) AS query,
    query_id,
    result_size,
    stale,
    shared,
    compressed,
    expires_at,
    toString(key_hash) AS key_hash
FROM system.query_cache
ORDER BY result_size DESC
LIMIT 500
