-- How many alerts fired per day and severity since a moment (days without an alert have no row).
SELECT toStartOfDay(at) AS day, severity, count() AS alerts
FROM {db:Identifier}.{table:Identifier} FINAL
WHERE event = 'firing' AND at >= {since:DateTime64(3, 'UTC')}
GROUP BY day, severity
ORDER BY day, severity
LIMIT 10000
