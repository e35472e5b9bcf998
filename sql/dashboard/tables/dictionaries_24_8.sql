-- Which dictionaries exist: status, source, size, hit rate, last update and last error.
-- Variant for servers before 25.8, where system.dictionaries has no error_count.
SELECT
    database,
    name,
    status,
    type,
    source,
    element_count,
    bytes_allocated,
    round(hit_rate, 3) AS hit_rate,
    last_successful_update_time,
    round(loading_duration, 3) AS loading_s,
    last_exception
FROM system.dictionaries
ORDER BY status DESC, database, name
LIMIT 1000
