-- What happened to parts in the window: new parts, merges, mutations, downloads, removals, errors.
SELECT
    event_time,
    event_type,
    merge_reason,
    database,
    table,
    part_name,
    partition_id,
    rows,
    size_in_bytes,
    duration_ms,
    error,
    exception,
    query_id
FROM merge('system', '^part_log')
WHERE event_date >= toDate({start:DateTime}) AND event_time >= {start:DateTime} AND event_time <= {end:DateTime}
    AND ({event_type:String} = '' OR toString(event_type) = {event_type:String})
ORDER BY event_time DESC
LIMIT {limit:UInt32}
