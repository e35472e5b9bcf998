-- Which mutations exist, failing and stuck ones first: command, parts left, age and last failure.
-- Variant for servers before 25.8, where system.mutations has no latest_fail_error_code_name.
SELECT
    database,
    table,
    mutation_id,
    command,
    create_time,
    parts_to_do,
    is_done,
    is_killed,
    latest_fail_reason,
    latest_fail_time,
    dateDiff('second', create_time, now()) AS age_s
FROM system.mutations
ORDER BY latest_fail_reason = '', is_done, create_time
LIMIT 1000
