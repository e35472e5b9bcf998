-- Index behind a user's thread list, newest first.
CREATE INDEX IF NOT EXISTS agent_threads_user_updated_idx ON agent_threads (user_id, updated_at DESC, id DESC)
