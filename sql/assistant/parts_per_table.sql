-- Which tables have the most active parts (many small parts slow inserts and merges), optionally in one database.
SELECT
    database,
    table,
    count() AS active_parts,
    max(level) AS max_level,
    uniqExact(partition_id) AS partitions
FROM system.parts
WHERE active AND ({database:String} = '' OR database = {database:String})
GROUP BY database, table
ORDER BY active_parts DESC
LIMIT {limit:UInt32}
