-- How the engine formats a statement whose tree parseQueryToJSON cannot serialise (DESCRIBE). The statement is a
-- parameter: parsed, never executed.
SELECT formatQuery({statement:String}) AS statement
