-- The messages table: user messages and agent results of every thread, once each (unique checksum per thread).
CREATE TABLE IF NOT EXISTS {messages} (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id text COLLATE "C" NOT NULL,
    thread_id text COLLATE "C" NOT NULL,
    message_type text NOT NULL CHECK (message_type IN ('user', 'agent')),
    role text NOT NULL,
    name text NOT NULL DEFAULT '',
    content text NOT NULL,
    data jsonb NOT NULL DEFAULT '{{}}'::jsonb,
    checksum text COLLATE "C" NOT NULL,
    created_at timestamptz NOT NULL,
    FOREIGN KEY (user_id, thread_id) REFERENCES {threads} (user_id, id) ON DELETE CASCADE,
    UNIQUE (user_id, thread_id, checksum)
)
