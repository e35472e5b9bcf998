-- Which replicas are read-only (inserts fail there) and since when.
SELECT
    database,
    table,
    replica_name,
    readonly_start_time,
    readonly_duration,
    is_session_expired,
    zookeeper_exception
FROM system.replicas
WHERE is_readonly
ORDER BY readonly_start_time
LIMIT 1000
