-- How many new parts were written and how many merges finished per bucket (part_log).
SELECT
    toStartOfInterval(event_time, toIntervalSecond({step:UInt32})) AS t,
    countIf(event_type = 'NewPart') AS new_parts,
    countIf(event_type = 'MergeParts') AS merged_parts
FROM merge('system', '^part_log')
WHERE event_date >= toDate({start:DateTime}) AND event_time >= {start:DateTime} AND event_time <= {end:DateTime}
GROUP BY t
ORDER BY t WITH FILL FROM toStartOfInterval({start:DateTime}, toIntervalSecond({step:UInt32})) TO {end:DateTime} STEP toIntervalSecond({step:UInt32})
LIMIT 2000
