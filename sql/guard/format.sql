-- How the engine formats a user's statement whose tree parseQueryToJSON cannot serialise (DESCRIBE), with the
-- server's databases and user-defined functions. The statement is a parameter: parsed, never executed.
SELECT
    formatQuery({statement:String}) AS statement,
    (SELECT groupArray(name) FROM system.databases) AS databases,
    (SELECT groupArray(name) FROM system.functions WHERE origin != 'System') AS user_functions
