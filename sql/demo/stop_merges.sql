-- Stops background merges of the demo's too-many-parts table, so its parts pile up.
SYSTEM STOP MERGES demo.too_many_parts
