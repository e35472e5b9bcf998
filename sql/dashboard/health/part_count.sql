-- How many active parts exist, as a percent of the server's max_part_num_to_warn.
SELECT
    round(100 * (SELECT count() FROM system.parts WHERE active)
        / greatest((SELECT toFloat64(value) FROM system.server_settings WHERE name = 'max_part_num_to_warn'), 1), 2) AS value,
    concat(toString((SELECT count() FROM system.parts WHERE active)), ' active parts') AS detail
LIMIT 1
