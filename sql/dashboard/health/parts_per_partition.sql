-- How close the fullest partition is to parts_to_throw_insert (percent), where inserts start failing.
SELECT
    round(100 * max(parts) / greatest(
        (SELECT toFloat64(value) FROM system.merge_tree_settings WHERE name = 'parts_to_throw_insert'), 1), 1) AS value,
    concat('max ', toString(max(parts)), ' active parts in ', argMax(partition_name, parts)) AS detail
FROM (
    SELECT concat(database, '.', table, ' / ', partition) AS partition_name, count() AS parts
    FROM system.parts WHERE active GROUP BY database, table, partition
)
LIMIT 1
