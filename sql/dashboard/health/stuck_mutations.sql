-- How many mutations are failing or unfinished for longer than the allowed time.
SELECT
    toFloat64(count()) AS value,
    arrayStringConcat(groupArray(5)(concat(database, '.', table, ' ', mutation_id)), ', ') AS detail
FROM system.mutations
WHERE NOT is_done AND (latest_fail_reason != '' OR create_time < now() - toIntervalSecond({stuck_after_s:UInt32}))
LIMIT 1
