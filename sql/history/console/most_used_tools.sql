-- Most used tools, with failures and median latency
SELECT
    name AS tool,
    count() AS calls,
    countIf(JSONExtractString(metadata, 'error') != '') AS failures,
    round(quantile(0.5)(JSONExtractFloat(metadata, 'duration_ms')), 1) AS p50_ms
FROM messages
WHERE role = 'tool'
GROUP BY tool
ORDER BY calls DESC
LIMIT 20
