-- Which parts are detached (broken, unexpected, ignored or by hand) and how much space they hold.
SELECT
    database,
    table,
    partition_id,
    name,
    reason,
    bytes_on_disk,
    modification_time,
    disk
FROM system.detached_parts
ORDER BY modification_time DESC
LIMIT 1000
