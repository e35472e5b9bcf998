-- Which tables take the most disk space (active parts, compressed bytes on disk).
SELECT
    concat(database, '.', table) AS table_name,
    sum(bytes_on_disk) AS bytes_on_disk,
    sum(rows) AS rows
FROM system.parts
WHERE active
GROUP BY table_name
ORDER BY bytes_on_disk DESC
LIMIT {limit:UInt32}
