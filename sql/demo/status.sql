-- Whether the demo's databases exist, and how many tables and active parts `demo` holds.
SELECT
    (SELECT count() FROM system.databases WHERE name IN ('demo', 'demo_legacy')) AS databases,
    (SELECT count() FROM system.tables WHERE database = 'demo') AS tables,
    (SELECT count() FROM system.parts WHERE database = 'demo' AND active) AS parts,
    (SELECT count() FROM system.parts WHERE database = 'demo' AND table = 'too_many_parts' AND active) AS piled_parts
