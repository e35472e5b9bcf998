-- How the engine reads a user's statement: its formatting (what runs), its parse tree as JSON, the server's
-- databases and its user-defined functions. The statement is a parameter: parsed, never executed.
SELECT
    formatQuery({statement:String}) AS statement,
    parseQueryToJSON({statement:String}) AS tree,
    (SELECT groupArray(name) FROM system.databases) AS databases,
    (SELECT groupArray(name) FROM system.functions WHERE origin != 'System') AS user_functions
