-- Index behind a user's thread list: live threads, newest first.
CREATE INDEX IF NOT EXISTS {threads_index} ON {threads} (user_id, updated_at DESC, id DESC) WHERE deleted_at IS NULL
