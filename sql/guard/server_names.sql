-- What a user's statement may name on this server: its databases and its user-defined functions (refused).
SELECT
    (SELECT groupArray(name) FROM system.databases) AS databases,
    (SELECT groupArray(name) FROM system.functions WHERE origin != 'System') AS user_functions
