-- Which databases exist, their engine, number of tables and size on disk.
SELECT
    d.name AS database,
    d.engine AS engine,
    t.tables AS tables,
    p.rows AS rows,
    p.bytes_on_disk AS bytes_on_disk,
    p.parts AS active_parts
FROM system.databases AS d
LEFT JOIN (SELECT database, count() AS tables FROM system.tables GROUP BY database) AS t ON t.database = d.name
LEFT JOIN (
    SELECT database, sum(rows) AS rows, sum(bytes_on_disk) AS bytes_on_disk, count() AS parts
    FROM system.parts WHERE active GROUP BY database
) AS p ON p.database = d.name
ORDER BY bytes_on_disk DESC, database
LIMIT 1000
