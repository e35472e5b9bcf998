-- How the engine reads a statement: its formatting (what runs) and its parse tree as JSON. The statement is a
-- parameter: parsed, never executed.
SELECT formatQuery({statement:String}) AS statement, parseQueryToJSON({statement:String}) AS tree
