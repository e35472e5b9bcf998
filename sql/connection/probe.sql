-- Who the app is on this server: its version, the user it runs as, and the session's read-only level.
SELECT version() AS version, currentUser() AS user, toUInt8(getSetting('readonly')) AS readonly
