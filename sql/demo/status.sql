-- Whether the demo database exists, and how many tables and active parts it holds.
SELECT
    (SELECT count() FROM system.databases WHERE name = 'demo') AS databases,
    (SELECT count() FROM system.tables WHERE database = 'demo') AS tables,
    (SELECT count() FROM system.parts WHERE database = 'demo' AND active) AS parts,
    (SELECT count() FROM system.parts WHERE database = 'demo' AND table = 'too_many_parts' AND active) AS piled_parts
