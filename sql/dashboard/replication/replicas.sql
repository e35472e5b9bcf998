-- How each replicated table is doing: readonly, delay, queue size, active replicas, errors.
SELECT
    database,
    table,
    is_leader,
    is_readonly,
    is_session_expired,
    absolute_delay,
    queue_size,
    inserts_in_queue,
    merges_in_queue,
    active_replicas,
    total_replicas,
    lost_part_count,
    last_queue_update_exception,
    zookeeper_exception
FROM system.replicas
WHERE ({database:String} = '' OR database = {database:String})
    AND ({table:String} = '' OR table = {table:String})
ORDER BY is_readonly DESC, absolute_delay DESC
LIMIT 2000
