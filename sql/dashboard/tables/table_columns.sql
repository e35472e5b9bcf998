-- Which columns one table has: type, codec, default, sizes on disk.
SELECT
    name,
    type,
    default_kind,
    default_expression,
    compression_codec,
    data_compressed_bytes,
    data_uncompressed_bytes,
    is_in_primary_key,
    comment
FROM system.columns
WHERE database = {database:String} AND table = {table:String}
ORDER BY position
LIMIT 2000
