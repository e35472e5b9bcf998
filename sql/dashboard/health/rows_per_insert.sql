-- How many rows an INSERT writes on average in the window; small inserts make many parts and merges.
SELECT
    if(count() = 0, NULL, round(avg(written_rows), 1)) AS value,
    concat(toString(count()), ' inserts') AS detail
FROM merge('system', '^query_log')
WHERE event_date >= toDate({start:DateTime}) AND event_time >= {start:DateTime} AND event_time <= {end:DateTime}
    AND type = 'QueryFinish' AND query_kind = 'Insert'
    AND ({hide_own:UInt8} = 0 OR log_comment != {tag:String})
LIMIT 1
