-- Which databases exist: engine, number of tables and comment.
SELECT
    d.name AS database,
    d.engine AS engine,
    ifNull(t.tables, 0) AS tables,
    d.comment AS comment
FROM system.databases AS d
LEFT JOIN (SELECT database, count() AS tables FROM system.tables GROUP BY database) AS t ON t.database = d.name
ORDER BY d.name
LIMIT 1000
