-- Which merges run right now (optionally of one database or table): progress, elapsed seconds, size.
SELECT
    database,
    table,
    round(elapsed, 1) AS elapsed_s,
    round(100 * progress, 1) AS progress_pct,
    num_parts,
    result_part_name,
    formatReadableSize(total_size_bytes_compressed) AS size,
    is_mutation
FROM system.merges
WHERE ({database:String} = '' OR database = {database:String})
    AND ({table:String} = '' OR table = {table:String})
ORDER BY elapsed DESC
LIMIT 500
