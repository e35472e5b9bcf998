-- How many replicated tables are read-only right now (inserts into them fail).
SELECT
    toFloat64(count()) AS value,
    arrayStringConcat(groupArray(10)(concat(database, '.', table)), ', ') AS detail
FROM system.replicas
WHERE is_readonly
LIMIT 1
