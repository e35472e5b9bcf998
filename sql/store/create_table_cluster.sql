-- Creates the conversation table ON CLUSTER with a replicated engine (CLICKHOUSE_AGENT_CONVERSATIONS_CLUSTER);
-- the same columns, key and merge settings as store/create_table. ON CLUSTER takes no query parameter: the
-- validated cluster name is bound in by `core.sqlfiles.bind_identifier`.
CREATE TABLE IF NOT EXISTS {db:Identifier}.{table:Identifier} ON CLUSTER {cluster:Identifier}
(
    user_id       String,
    kind          LowCardinality(String),
    thread_id     String,
    message_id    String,
    seq           UInt64,
    role          LowCardinality(String),
    name          String,
    title         String CODEC(ZSTD(3)),
    content       String CODEC(ZSTD(3)),
    metadata      String CODEC(ZSTD(3)),
    created_at    DateTime64(3, 'UTC'),
    updated_at    DateTime64(3, 'UTC'),
    message_count UInt32,
    version       UInt64,
    is_deleted    UInt8,
    INDEX content_tokens lower(content) TYPE ngrambf_v1(3, 65536, 2, 0) GRANULARITY 4
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}', version, is_deleted)
ORDER BY (user_id, kind, thread_id, message_id)
SETTINGS index_granularity = 1024, min_age_to_force_merge_seconds = 600, min_age_to_force_merge_on_partition_only = 0
