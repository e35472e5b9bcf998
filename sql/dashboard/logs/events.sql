-- What the server's cumulative event counters say since start, filtered by name.
SELECT event, value, description
FROM system.events
WHERE {text:String} = '' OR positionCaseInsensitive(event, {text:String}) > 0
ORDER BY value DESC
LIMIT 2000
