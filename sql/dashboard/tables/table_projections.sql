-- Which projections one table has, and how many active parts carry each.
SELECT
    p.name AS name,
    p.type AS type,
    p.sorting_key AS sorting_key,
    p.query AS query,
    (SELECT count() FROM system.projection_parts AS pp
        WHERE pp.active AND pp.database = {database:String} AND pp.table = {table:String} AND pp.name = p.name) AS active_parts
FROM system.projections AS p
WHERE p.database = {database:String} AND p.table = {table:String}
ORDER BY name
LIMIT 500
