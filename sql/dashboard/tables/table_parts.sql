-- Which active parts one table has: level, rows, size, modification time.
SELECT
    name,
    partition,
    part_type,
    level,
    rows,
    bytes_on_disk,
    data_compressed_bytes,
    data_uncompressed_bytes,
    modification_time,
    disk_name
FROM system.parts
WHERE active AND database = {database:String} AND table = {table:String}
ORDER BY modification_time DESC
LIMIT 1000
