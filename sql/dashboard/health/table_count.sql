-- How many tables exist, as a percent of the server's max_table_num_to_warn.
SELECT
    round(100 * (SELECT count() FROM system.tables WHERE database NOT IN ('system', 'INFORMATION_SCHEMA', 'information_schema'))
        / greatest((SELECT toFloat64(value) FROM system.server_settings WHERE name = 'max_table_num_to_warn'), 1), 2) AS value,
    concat(toString((SELECT count() FROM system.tables WHERE database NOT IN ('system', 'INFORMATION_SCHEMA', 'information_schema'))),
        ' tables') AS detail
LIMIT 1
