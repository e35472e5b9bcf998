-- How each replicated table is doing on every replica of the cluster.
SELECT
    hostName() AS host,
    database,
    table,
    is_readonly,
    is_session_expired,
    absolute_delay,
    queue_size,
    active_replicas,
    total_replicas,
    lost_part_count
FROM clusterAllReplicas({cluster:String}, system.replicas)
WHERE ({database:String} = '' OR database = {database:String})
    AND ({table:String} = '' OR table = {table:String})
ORDER BY is_readonly DESC, absolute_delay DESC
LIMIT 2000
