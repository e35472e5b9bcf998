-- How many files Distributed tables still have to send to other shards.
SELECT
    toFloat64(sum(data_files)) AS value,
    concat(formatReadableSize(sum(data_compressed_bytes)), '; ', toString(sum(error_count)), ' errors') AS detail
FROM system.distribution_queue
LIMIT 1
