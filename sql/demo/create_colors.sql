-- Creates the small table the demo's dictionary loads from.
CREATE TABLE IF NOT EXISTS demo.colors (id UInt64, name String) ENGINE = MergeTree ORDER BY id
