-- The messages table (SQLite dialect for D1): user messages and agent results, once each per thread (checksum).
CREATE TABLE IF NOT EXISTS agent_messages (
    seq INTEGER PRIMARY KEY,
    user_id TEXT NOT NULL,
    thread_id TEXT NOT NULL,
    message_type TEXT NOT NULL CHECK (message_type IN ('user', 'agent')),
    role TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    content TEXT NOT NULL,
    data TEXT NOT NULL DEFAULT '{}',
    checksum TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    FOREIGN KEY (user_id, thread_id) REFERENCES agent_threads (user_id, id) ON DELETE CASCADE,
    UNIQUE (user_id, thread_id, checksum)
)
