-- Which asynchronous inserts are buffered and not yet flushed: table, bytes, age, entries.
SELECT
    database,
    table,
    format,
    first_update,
    total_bytes,
    length(entries.query_id) AS entries,
    substring(query, 1, 300) AS query
FROM system.asynchronous_inserts
ORDER BY first_update
LIMIT 1000
