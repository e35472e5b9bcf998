-- Which checks are silenced now: per host and check, the latest silence, kept while its end lies ahead.
SELECT host, check_name, max(until) AS until
FROM {db:Identifier}.{table:Identifier}
WHERE event = 'silenced'
GROUP BY host, check_name
HAVING until > {now:DateTime64(3, 'UTC')}
ORDER BY host, check_name
LIMIT 1000
