-- The session's value of each setting the app would send, and whether the session may change it (profile, constraints).
SELECT name, value, toUInt8(readonly) AS fixed
FROM system.settings
WHERE name IN {names:Array(String)}
