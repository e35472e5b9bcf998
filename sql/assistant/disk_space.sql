-- How much space each disk has: free, total and used percent.
SELECT
    name AS disk,
    path,
    free_space,
    total_space,
    formatReadableSize(free_space) AS free,
    formatReadableSize(total_space) AS total,
    round(100 * (1 - free_space / greatest(total_space, 1)), 1) AS used_pct
FROM system.disks
ORDER BY name
LIMIT 100
