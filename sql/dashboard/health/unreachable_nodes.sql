-- How many cluster hosts had connection errors recently (errors_count is decayed by the server).
SELECT
    toFloat64(countIf(errors_count > 0 OR estimated_recovery_time > 0)) AS value,
    arrayStringConcat(groupArrayIf(5)(concat(cluster, ':', host_name), errors_count > 0), ', ') AS detail
FROM system.clusters
LIMIT 1
