-- Creates the message table of the ClickHouse conversation store: user messages and agent results, one row per
-- message id (a checksum), so a retried append replaces instead of duplicating. `seq` orders a thread's messages.
CREATE TABLE IF NOT EXISTS {db:Identifier}.{messages:Identifier}
(
    user_id    String,
    thread_id  String,
    message_id String,
    seq        UInt64,
    role       LowCardinality(String),
    name       String,
    content    String CODEC(ZSTD(3)),
    metadata   String CODEC(ZSTD(3)),
    created_at DateTime64(3, 'UTC'),
    version    UInt64,
    is_deleted UInt8,
    INDEX content_tokens lower(content) TYPE ngrambf_v1(3, 65536, 2, 0) GRANULARITY 4
)
ENGINE = ReplacingMergeTree(version, is_deleted)
ORDER BY (user_id, thread_id, message_id)
SETTINGS index_granularity = 1024
