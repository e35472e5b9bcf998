-- How merges performed per table in the window: count, duration, rows and bytes per second, errors (part_log).
SELECT
    database,
    table,
    count() AS merges,
    round(avg(duration_ms)) AS avg_ms,
    max(duration_ms) AS max_ms,
    sum(rows) AS merged_rows,
    round(sum(rows) / greatest(sum(duration_ms) / 1000, 0.001)) AS rows_per_second,
    round(sum(size_in_bytes) / greatest(sum(duration_ms) / 1000, 0.001)) AS bytes_per_second,
    max(peak_memory_usage) AS max_memory,
    countIf(error != 0) AS errors
FROM merge('system', '^part_log')
WHERE event_date >= toDate({start:DateTime}) AND event_time >= {start:DateTime} AND event_time <= {end:DateTime} AND event_type = 'MergeParts'
GROUP BY database, table
ORDER BY merges DESC
LIMIT 500
