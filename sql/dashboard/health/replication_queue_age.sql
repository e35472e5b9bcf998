-- How old (seconds) the oldest replication-queue entry that keeps failing or waiting is.
SELECT
    toFloat64(max(dateDiff('second', create_time, now()))) AS value,
    concat(toString(count()), ' entries; most tries: ', toString(max(num_tries))) AS detail
FROM system.replication_queue
LIMIT 1
