-- Which merges run right now on every replica of the cluster.
SELECT
    hostName() AS host,
    database,
    table,
    round(elapsed, 1) AS elapsed_s,
    round(100 * progress, 1) AS progress_pct,
    num_parts,
    result_part_name,
    is_mutation,
    total_size_bytes_compressed,
    memory_usage
FROM clusterAllReplicas({cluster:String}, system.merges)
WHERE ({database:String} = '' OR database = {database:String})
    AND ({table:String} = '' OR table = {table:String})
ORDER BY elapsed DESC
LIMIT 500
