-- Which mutations are not finished (optionally of one database or table), with their failure reason if any.
SELECT
    database,
    table,
    mutation_id,
    command,
    create_time,
    parts_to_do,
    latest_fail_reason
FROM system.mutations
WHERE NOT is_done
    AND ({database:String} = '' OR database = {database:String})
    AND ({table:String} = '' OR table = {table:String})
ORDER BY create_time
LIMIT 500
