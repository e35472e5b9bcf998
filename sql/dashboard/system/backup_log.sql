-- Which backups and restores ran in the window (backup_log keeps them across restarts): status, size, error.
SELECT
    event_time_microseconds AS event_time,
    name,
    status,
    start_time,
    end_time,
    dateDiff('second', start_time, end_time) AS duration_s,
    num_files,
    total_size,
    compressed_size,
    substring(error, 1, 300) AS error
FROM merge('system', '^backup_log')
WHERE event_date >= toDate({start:DateTime}) AND event_time_microseconds >= {start:DateTime}
    AND event_time_microseconds <= {end:DateTime}
    AND ({status:String} = '' OR toString(status) = {status:String})
ORDER BY event_time_microseconds DESC
LIMIT {limit:UInt32}
