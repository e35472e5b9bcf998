-- How long (seconds) the longest query running right now has been running.
SELECT
    toFloat64(max(elapsed)) AS value,
    concat(toString(count()), ' running; longest: ', argMax(query_id, elapsed)) AS detail
FROM system.processes
WHERE ({hide_own:UInt8} = 0 OR Settings['log_comment'] != {tag:String})
LIMIT 1
