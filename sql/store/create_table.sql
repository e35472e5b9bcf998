-- Creates the conversation table of the ClickHouse store: one table for threads and their messages, so an append
-- is one read and one insert. `kind` = 'thread' rows (one per version of a thread, `message_id` = '') and
-- 'message' rows (one per message id, a checksum, so a retried append replaces instead of duplicating).
-- ReplacingMergeTree keeps the highest `version`; `is_deleted = 1` rows are tombstones. The user leads the key,
-- `kind` next so a user's thread rows are contiguous (the list reads no message) and a thread's messages too; the
-- version is not in the key (old versions must merge away) and there is no partition key. `seq` orders messages.
-- Parts older than 10 minutes are merged even when the merge heuristics would wait, so a deleted thread's rows
-- (superseded by its tombstones) leave the disk within about 10 minutes of the delete.
CREATE TABLE IF NOT EXISTS {db:Identifier}.{table:Identifier}
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
ENGINE = ReplacingMergeTree(version, is_deleted)
ORDER BY (user_id, kind, thread_id, message_id)
SETTINGS index_granularity = 1024, min_age_to_force_merge_seconds = 600, min_age_to_force_merge_on_partition_only = 0
