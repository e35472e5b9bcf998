-- Which session settings differ from their defaults for the dashboard's user.
SELECT name, value, default, type, description
FROM system.settings
WHERE changed AND name NOT IN ('max_execution_time', 'max_result_rows', 'result_overflow_mode', 'log_comment', 'readonly')
ORDER BY name
LIMIT 2000
