-- Which database holds a table of this name (case-insensitive), user databases first.
SELECT database, name AS table
FROM system.tables
WHERE lower(name) = lower({table:String})
ORDER BY database IN ('system', 'INFORMATION_SCHEMA', 'information_schema'), database
LIMIT 20
