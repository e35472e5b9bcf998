-- How many system log tables have no TTL (nothing ever deletes their old rows).
SELECT
    toFloat64(count()) AS value,
    arrayStringConcat(groupArray(10)(name), ', ') AS detail
FROM system.tables
WHERE database = 'system' AND engine LIKE '%MergeTree' AND name LIKE '%\_log%'
    AND position(create_table_query, ' TTL ') = 0
LIMIT 1
