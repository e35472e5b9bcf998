-- What the periodically computed metrics say (memory, load, disks, uptime…), filtered by name.
SELECT metric, value, description
FROM system.asynchronous_metrics
WHERE {text:String} = '' OR positionCaseInsensitive(metric, {text:String}) > 0
ORDER BY metric
LIMIT 5000
