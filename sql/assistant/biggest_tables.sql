-- Which tables take the most disk space (active parts), optionally within one database.
SELECT
    database,
    table,
    sum(bytes_on_disk) AS disk_bytes,
    formatReadableSize(sum(bytes_on_disk)) AS size,
    sum(rows) AS total_rows,
    count() AS active_parts
FROM system.parts
WHERE active AND ({database:String} = '' OR database = {database:String})
GROUP BY database, table
ORDER BY disk_bytes DESC
LIMIT {limit:UInt32}
