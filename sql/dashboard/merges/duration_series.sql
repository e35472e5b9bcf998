-- How long merges took over the window: count, average and maximum duration per bucket (part_log).
SELECT
    toStartOfInterval(event_time, toIntervalSecond({step:UInt32})) AS t,
    count() AS merges,
    round(avg(duration_ms)) AS avg_ms,
    max(duration_ms) AS max_ms
FROM merge('system', '^part_log')
WHERE event_date >= toDate({start:DateTime}) AND event_time >= {start:DateTime} AND event_time <= {end:DateTime} AND event_type = 'MergeParts'
GROUP BY t
ORDER BY t WITH FILL FROM toStartOfInterval({start:DateTime}, toIntervalSecond({step:UInt32})) TO {end:DateTime} STEP toIntervalSecond({step:UInt32})
LIMIT 2000
