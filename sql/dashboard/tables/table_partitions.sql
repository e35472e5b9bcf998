-- How one table's data is split into partitions: parts, rows and bytes per partition.
SELECT
    partition,
    count() AS active_parts,
    sum(rows) AS rows,
    sum(bytes_on_disk) AS bytes_on_disk,
    min(min_time) AS min_time,
    max(max_time) AS max_time
FROM system.parts
WHERE active AND database = {database:String} AND table = {table:String}
GROUP BY partition
ORDER BY partition DESC
LIMIT 1000
