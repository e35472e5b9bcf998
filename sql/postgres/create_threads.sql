-- The threads table: one row per conversation, owned by one user; a deleted thread stays as a tombstone row.
CREATE TABLE IF NOT EXISTS {threads} (
    user_id text COLLATE "C" NOT NULL,
    id text COLLATE "C" NOT NULL,
    title text NOT NULL DEFAULT '',
    metadata jsonb NOT NULL DEFAULT '{{}}'::jsonb,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    message_count integer NOT NULL DEFAULT 0,
    deleted_at timestamptz,
    PRIMARY KEY (user_id, id)
)
