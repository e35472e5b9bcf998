-- How much of the server's memory limit (percent) is tracked as used right now.
SELECT
    round(100 * (SELECT toFloat64(value) FROM system.metrics WHERE metric = 'MemoryTracking')
        / greatest((SELECT toFloat64(value) FROM system.server_settings WHERE name = 'max_server_memory_usage'), 1), 1) AS value,
    concat(formatReadableSize((SELECT value FROM system.metrics WHERE metric = 'MemoryTracking')), ' of ',
        formatReadableSize((SELECT toFloat64(value) FROM system.server_settings WHERE name = 'max_server_memory_usage'))) AS detail
LIMIT 1
