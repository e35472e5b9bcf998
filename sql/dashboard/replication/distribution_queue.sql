-- What Distributed tables still have to send to remote shards: files, bytes, errors.
SELECT
    database,
    table,
    data_path,
    is_blocked,
    error_count,
    data_files,
    data_compressed_bytes,
    broken_data_files,
    last_exception
FROM system.distribution_queue
ORDER BY data_files DESC
LIMIT 1000
