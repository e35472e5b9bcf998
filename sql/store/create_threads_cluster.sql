-- Creates the thread table ON CLUSTER with a replicated engine (CLICKHOUSE_AGENT_CONVERSATIONS_CLUSTER).
CREATE TABLE IF NOT EXISTS {db:Identifier}.{threads:Identifier} ON CLUSTER {cluster:Identifier}
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
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}', version, is_deleted)
ORDER BY (user_id, thread_id)
SETTINGS index_granularity = 1024
