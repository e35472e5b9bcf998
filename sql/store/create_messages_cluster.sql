-- Creates the message table ON CLUSTER with a replicated engine (CLICKHOUSE_AGENT_CONVERSATIONS_CLUSTER).
CREATE TABLE IF NOT EXISTS {db:Identifier}.{messages:Identifier} ON CLUSTER {cluster:Identifier}
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
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}', version, is_deleted)
ORDER BY (user_id, thread_id, message_id)
SETTINGS index_granularity = 1024
