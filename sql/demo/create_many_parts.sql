-- Creates a table kept at too many parts: merges stopped and one part per row, past parts_to_delay_insert.
CREATE TABLE IF NOT EXISTS demo.too_many_parts (id UInt64, at DateTime DEFAULT now())
ENGINE = MergeTree
ORDER BY id
SETTINGS parts_to_delay_insert = 1000, parts_to_throw_insert = 3000, max_delay_to_insert = 1
