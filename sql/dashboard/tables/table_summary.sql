-- What one table is: engine, keys, rows, size, parts and its DDL.
SELECT
    t.database AS database,
    t.name AS table,
    t.engine AS engine,
    t.partition_key AS partition_key,
    t.sorting_key AS sorting_key,
    t.primary_key AS primary_key,
    t.total_rows AS total_rows,
    t.total_bytes AS total_bytes,
    (SELECT count() FROM system.parts WHERE active AND database = {database:String} AND table = {table:String}) AS active_parts,
    t.create_table_query AS ddl
FROM system.tables AS t
WHERE t.database = {database:String} AND t.name = {table:String}
LIMIT 1
