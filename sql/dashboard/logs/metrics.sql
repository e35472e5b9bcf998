-- What the server's current metrics (gauges) say, filtered by name.
SELECT metric, value, description
FROM system.metrics
WHERE {text:String} = '' OR positionCaseInsensitive(metric, {text:String}) > 0
ORDER BY metric
LIMIT 2000
