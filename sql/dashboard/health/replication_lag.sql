-- How far (seconds) the most delayed replica is behind the newest data of its table.
SELECT
    toFloat64(max(absolute_delay)) AS value,
    arrayStringConcat(groupArray(5)(concat(database, '.', table)), ', ') AS detail
FROM (SELECT database, table, absolute_delay FROM system.replicas ORDER BY absolute_delay DESC LIMIT 5)
LIMIT 1
