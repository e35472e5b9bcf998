-- Creates the demo's main table: batched inserts make parts here and background merges combine them.
CREATE TABLE IF NOT EXISTS demo.events
(
    ts DateTime,
    user_id UInt32,
    kind LowCardinality(String),
    color_id UInt64,
    value Float64,
    INDEX value_minmax value TYPE minmax GRANULARITY 1,
    PROJECTION by_user (SELECT user_id, count() GROUP BY user_id)
)
ENGINE = MergeTree
PARTITION BY toDate(ts)
ORDER BY (kind, user_id, ts)
