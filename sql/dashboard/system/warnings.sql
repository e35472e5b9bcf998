-- What the server itself warns about (shown by clickhouse-client at connect).
SELECT message
FROM system.warnings
LIMIT 500
