-- Which alerts are firing now: per host and check, the latest firing/resolved event, kept when it is a firing.
SELECT host, check_name, severity, value, threshold, since, title, message
FROM (
    SELECT host, check_name,
        argMax(event, (at, version)) AS last_event,
        argMax(severity, (at, version)) AS severity,
        argMax(value, (at, version)) AS value,
        argMax(threshold, (at, version)) AS threshold,
        argMax(since, (at, version)) AS since,
        argMax(title, (at, version)) AS title,
        argMax(message, (at, version)) AS message
    FROM {db:Identifier}.{table:Identifier}
    WHERE event IN ('firing', 'resolved')
    GROUP BY host, check_name
)
WHERE last_event = 'firing'
ORDER BY severity = 'critical' DESC, since
LIMIT 1000
