-- Which distributed DDL (ON CLUSTER) statements are queued or failed, per host.
SELECT
    entry,
    cluster,
    host,
    status,
    query_create_time,
    query_duration_ms,
    exception_code,
    substring(query, 1, 300) AS query
FROM system.distributed_ddl_queue
ORDER BY query_create_time DESC
LIMIT 500
