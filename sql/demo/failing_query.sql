-- A failing demo query: it reads a column the table lacks (UNKNOWN_IDENTIFIER).
SELECT no_such_column FROM demo.events LIMIT 1
