-- Inserts rows into the too-many-parts table (sent with one-row blocks: one part per row).
INSERT INTO demo.too_many_parts (id)
SELECT number + {offset:UInt64} FROM numbers({rows:UInt64})
