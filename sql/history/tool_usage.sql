-- History analytics: each tool's calls, failures, failure rate and latency (median, p95) in the window, most used
-- first. Reads the tool messages' metadata keys `error` (empty when the call worked) and `duration_ms`.
SELECT
    name AS tool,
    count() AS calls,
    countIf(JSONExtractString(metadata, 'error') != '') AS failures,
    round(failures / calls, 4) AS failure_rate,
    round(quantile(0.5)(JSONExtractFloat(metadata, 'duration_ms')), 1) AS p50_ms,
    round(quantile(0.95)(JSONExtractFloat(metadata, 'duration_ms')), 1) AS p95_ms
FROM {db:Identifier}.{table:Identifier} FINAL
WHERE kind = 'message' AND ({all_users:Bool} OR user_id = {user_id:String})
  AND role = 'tool' AND name != ''
  AND created_at >= {start:DateTime64(3, 'UTC')} AND created_at < {end:DateTime64(3, 'UTC')}
GROUP BY tool
ORDER BY calls DESC, tool
LIMIT {limit:UInt32}
