-- Which tables exist (optionally in one database, optionally whose name contains a text): engine, rows, size.
SELECT
    database,
    name AS table,
    engine,
    total_rows,
    total_bytes
FROM system.tables
WHERE ({database:String} = '' OR database = {database:String})
    AND ({name_like:String} = '' OR positionCaseInsensitive(name, {name_like:String}) > 0)
    AND ({database:String} != '' OR database NOT IN ('system', 'INFORMATION_SCHEMA', 'information_schema'))
ORDER BY database, table
LIMIT {limit:UInt32}
