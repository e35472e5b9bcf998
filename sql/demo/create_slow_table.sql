-- Creates the table the demo's long mutation rewrites (8,192-row blocks, so each block sleeps under 3 s).
CREATE TABLE IF NOT EXISTS demo.slow_mutation (id UInt32, v UInt8)
ENGINE = MergeTree
ORDER BY id
SETTINGS merge_max_block_size = 8192
