-- Which data-skipping indices one table has, with their type, expression and size.
SELECT
    name,
    type_full,
    expr,
    granularity,
    data_compressed_bytes,
    data_uncompressed_bytes
FROM system.data_skipping_indices
WHERE database = {database:String} AND table = {table:String}
ORDER BY name
LIMIT 500
