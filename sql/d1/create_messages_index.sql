-- Index behind reading one thread's messages in append order.
CREATE INDEX IF NOT EXISTS agent_messages_thread_seq_idx ON agent_messages (user_id, thread_id, seq)
