-- The threads table (SQLite dialect for D1): one row per conversation of a user; a deleted thread stays as a tombstone.
CREATE TABLE IF NOT EXISTS agent_threads (
    user_id TEXT NOT NULL,
    id TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    metadata TEXT NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    message_count INTEGER NOT NULL DEFAULT 0,
    deleted_at INTEGER,
    PRIMARY KEY (user_id, id)
)
