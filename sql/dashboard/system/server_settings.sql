-- What server settings are in force (changed ones first), filtered by name.
SELECT name, value, default, changed, changeable_without_restart, description
FROM system.server_settings
WHERE ({text:String} = '' OR positionCaseInsensitive(name, {text:String}) > 0)
    AND ({changed_only:UInt8} = 0 OR changed)
ORDER BY changed DESC, name
LIMIT 2000
