-- How many rows and parts inserts wrote per minute into a table (or every table) in the window (part_log NewPart).
SELECT
    toStartOfInterval(event_time, toIntervalSecond({step:UInt32})) AS t,
    round(sum(rows) * 60 / {step:UInt32}, 1) AS rows_per_minute,
    round(count() * 60 / {step:UInt32}, 2) AS parts_per_minute
FROM merge('system', '^part_log')
WHERE event_date >= toDate({start:DateTime}) AND event_time >= {start:DateTime} AND event_time <= {end:DateTime}
    AND event_type = 'NewPart'
    AND ({database:String} = '' OR database = {database:String})
    AND ({table:String} = '' OR table = {table:String})
GROUP BY t
ORDER BY t WITH FILL FROM toStartOfInterval({start:DateTime}, toIntervalSecond({step:UInt32})) TO {end:DateTime} STEP toIntervalSecond({step:UInt32})
LIMIT 2000
