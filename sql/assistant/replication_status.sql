-- How healthy each replicated table is: read-only state, session, queue size, delay and active replicas.
SELECT
    database,
    table,
    is_readonly,
    is_session_expired,
    queue_size,
    inserts_in_queue,
    merges_in_queue,
    absolute_delay,
    active_replicas,
    total_replicas
FROM system.replicas
WHERE ({database:String} = '' OR database = {database:String})
    AND ({table:String} = '' OR table = {table:String})
ORDER BY is_readonly DESC, absolute_delay DESC, database, table
LIMIT 1000
