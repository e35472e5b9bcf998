-- Which backups and restores ran since the server started: status, size, duration, error.
SELECT
    name,
    status,
    start_time,
    end_time,
    num_files,
    total_size,
    compressed_size,
    substring(error, 1, 300) AS error
FROM system.backups
ORDER BY start_time DESC
LIMIT 500
