-- Which partitions hold the most active parts (too many parts slow reads and throttle inserts).
SELECT
    database,
    table,
    partition,
    count() AS active_parts,
    sum(rows) AS rows,
    sum(bytes_on_disk) AS bytes_on_disk,
    max(level) AS max_level
FROM system.parts
WHERE active
    AND ({database:String} = '' OR database = {database:String})
    AND ({table:String} = '' OR table = {table:String})
GROUP BY database, table, partition
ORDER BY active_parts DESC
LIMIT {limit:UInt32}
