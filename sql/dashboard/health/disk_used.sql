-- How full (percent) the fullest disk is.
SELECT
    max(round(100 * (1 - free_space / greatest(total_space, 1)), 1)) AS value,
    argMax(name, 1 - free_space / greatest(total_space, 1)) AS detail
FROM system.disks
LIMIT 1
