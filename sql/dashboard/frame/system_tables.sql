-- Which system tables this server has (menu entries whose table is missing are marked).
SELECT name
FROM system.tables
WHERE database = 'system'
LIMIT 2000
