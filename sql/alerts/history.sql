-- What happened to the alerts since a moment: every event, newest first, one row per event id.
SELECT at, host, check_name, event, severity, value, threshold, since, until, title, message
FROM {db:Identifier}.{table:Identifier} FINAL
WHERE at >= {since:DateTime64(3, 'UTC')}
ORDER BY at DESC, host, check_name
LIMIT 10000
