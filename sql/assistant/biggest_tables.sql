-- Which tables take the most disk space (active parts), optionally within one database.
SELECT
    database,
    table,
    sum(bytes_on_disk) AS bytes_on_disk,
    formatReadableSize(sum(bytes_on_disk)) AS size,
    sum(rows) AS rows,
    count() AS active_parts
FROM system.parts
WHERE active AND ({database:String} = '' OR database = {database:String})
GROUP BY database, table
ORDER BY bytes_on_disk DESC
LIMIT {limit:UInt32}
