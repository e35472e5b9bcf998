-- Which parts are being fetched from other replicas right now: progress, size, source.
SELECT
    database,
    table,
    round(elapsed, 1) AS elapsed_s,
    round(100 * progress, 1) AS progress_pct,
    result_part_name,
    total_size_bytes_compressed,
    bytes_read_compressed,
    source_replica_hostname,
    to_detached
FROM system.replicated_fetches
ORDER BY elapsed DESC
LIMIT 500
