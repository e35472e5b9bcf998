-- Creates the thread table of the ClickHouse conversation store: one row per version of a thread.
-- ReplacingMergeTree keeps the highest `version`; `is_deleted = 1` rows are tombstones. The version is not in the
-- sorting key (old versions must merge away), the user leads the key, and there is no partition key.
CREATE TABLE IF NOT EXISTS {db:Identifier}.{threads:Identifier}
(
    user_id    String,
    thread_id  String,
    title      String CODEC(ZSTD(3)),
    metadata   String CODEC(ZSTD(3)),
    created_at DateTime64(3, 'UTC'),
    updated_at DateTime64(3, 'UTC'),
    message_count UInt32,
    version    UInt64,
    is_deleted UInt8
)
ENGINE = ReplacingMergeTree(version, is_deleted)
ORDER BY (user_id, thread_id)
SETTINGS index_granularity = 1024
