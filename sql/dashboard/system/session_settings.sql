-- What a session setting is set to for the dashboard's user (query-level limits such as max_memory_usage), by name.
SELECT name, value, default, changed, type, readonly, description
FROM system.settings
WHERE ({text:String} = '' OR positionCaseInsensitive(name, {text:String}) > 0)
    AND ({changed_only:UInt8} = 0 OR changed)
ORDER BY changed DESC, name
LIMIT 2000
