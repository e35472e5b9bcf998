-- How full each disk is: free, total, used percent, type and flags.
SELECT
    name,
    path,
    type,
    free_space,
    total_space,
    round(100 * (1 - free_space / greatest(total_space, 1)), 1) AS used_pct,
    keep_free_space,
    is_remote,
    is_read_only,
    is_broken
FROM system.disks
ORDER BY name
LIMIT 500
