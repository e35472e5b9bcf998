-- Creates the alert table: one row per event (firing, resolved, sent, failed, silenced) of one check on one host.
-- ReplacingMergeTree on the event's id: an insert retried after a lost answer replaces itself instead of doubling.
-- `until` is the end of a silence (epoch for the other events); `version` is the writer's nanosecond tick.
CREATE TABLE IF NOT EXISTS {db:Identifier}.{table:Identifier}
(
    host       LowCardinality(String),
    check_name LowCardinality(String),
    event      LowCardinality(String),
    at         DateTime64(3, 'UTC'),
    id         String,
    severity   LowCardinality(String),
    value      Nullable(Float64),
    threshold  Nullable(Float64),
    since      DateTime64(3, 'UTC'),
    until      DateTime64(3, 'UTC'),
    title      String,
    message    String CODEC(ZSTD(3)),
    version    UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (host, check_name, at, id)
