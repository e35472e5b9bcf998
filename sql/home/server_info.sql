-- Who answers: server version, uptime in seconds, number of databases, host name, time zone, and how many tables
-- people made (outside the system databases and the conversation store's database).
SELECT
    version() AS version,
    uptime() AS uptime_seconds,
    (SELECT count() FROM system.databases) AS databases,
    hostName() AS host,
    timezone() AS timezone,
    (SELECT count() FROM system.tables
        WHERE database NOT IN ('system', 'INFORMATION_SCHEMA', 'information_schema', {store_database:String})
            AND NOT is_temporary) AS user_tables
