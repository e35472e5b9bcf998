-- Which columns a table has: type, default, codec, primary-key membership and comment.
SELECT
    name AS column,
    type,
    default_kind,
    default_expression,
    compression_codec AS codec,
    is_in_primary_key,
    comment
FROM system.columns
WHERE database = {database:String} AND table = {table:String}
ORDER BY position
LIMIT 2000
