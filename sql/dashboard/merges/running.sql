-- Which merges and mutations run right now: table, progress, elapsed, parts, size and memory.
SELECT
    database,
    table,
    round(elapsed, 1) AS elapsed_s,
    round(100 * progress, 1) AS progress_pct,
    num_parts,
    result_part_name,
    is_mutation,
    total_size_bytes_compressed,
    rows_read,
    rows_written,
    memory_usage,
    merge_type,
    merge_algorithm
FROM system.merges
WHERE ({database:String} = '' OR database = {database:String})
    AND ({table:String} = '' OR table = {table:String})
ORDER BY elapsed DESC
LIMIT 500
