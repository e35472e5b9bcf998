-- Which replicas are read-only (inserts fail there); servers before 25.8 do not say since when.
-- Variant for servers before 25.8, where system.replicas has no readonly_start_time or readonly_duration.
SELECT
    database,
    table,
    replica_name,
    is_session_expired,
    zookeeper_exception
FROM system.replicas
WHERE is_readonly
ORDER BY database, table
LIMIT 1000
