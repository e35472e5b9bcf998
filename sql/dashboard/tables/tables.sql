-- Which tables exist: engine, rows, compressed and uncompressed size, compression ratio, active parts.
SELECT
    t.database AS database,
    t.name AS table,
    t.engine AS engine,
    p.rows AS rows,
    p.compressed AS compressed_bytes,
    p.uncompressed AS uncompressed_bytes,
    round(p.uncompressed / greatest(p.compressed, 1), 2) AS ratio,
    p.parts AS active_parts,
    t.metadata_modification_time AS modified
FROM system.tables AS t
LEFT JOIN (
    SELECT database, table, sum(rows) AS rows, sum(data_compressed_bytes) AS compressed,
        sum(data_uncompressed_bytes) AS uncompressed, count() AS parts
    FROM system.parts WHERE active GROUP BY database, table
) AS p ON p.database = t.database AND p.table = t.name
WHERE ({database:String} = '' OR t.database = {database:String})
    AND ({include_system:UInt8} = 1 OR t.database NOT IN ('system', 'INFORMATION_SCHEMA', 'information_schema'))
    AND positionCaseInsensitive(t.name, {name_like:String}) > 0
ORDER BY compressed_bytes DESC, database, table
LIMIT {limit:UInt32}
