-- How full each disk was over the window, in percent (asynchronous_metric_log DiskUsed_/DiskTotal_).
SELECT
    toStartOfInterval(event_time, toIntervalSecond({step:UInt32})) AS t,
    replaceRegexpOne(metric, '^Disk(Used|Total)_', '') AS disk,
    round(100 * avgIf(value, metric LIKE 'DiskUsed\_%') / greatest(avgIf(value, metric LIKE 'DiskTotal\_%'), 1), 2) AS used_pct
FROM merge('system', '^asynchronous_metric_log')
WHERE event_date >= toDate({start:DateTime}) AND event_time >= {start:DateTime} AND event_time <= {end:DateTime}
    AND (metric LIKE 'DiskUsed\_%' OR metric LIKE 'DiskTotal\_%')
GROUP BY t, disk
ORDER BY disk, t WITH FILL FROM toStartOfInterval({start:DateTime}, toIntervalSecond({step:UInt32})) TO {end:DateTime} STEP toIntervalSecond({step:UInt32})
LIMIT 5000
