-- Who answers: server version, uptime in seconds, number of databases, host name and time zone.
SELECT
    version() AS version,
    uptime() AS uptime_seconds,
    (SELECT count() FROM system.databases) AS databases,
    hostName() AS host,
    timezone() AS timezone
