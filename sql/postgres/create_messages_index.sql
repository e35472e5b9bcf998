-- Index behind reading one thread's messages in append order.
CREATE INDEX IF NOT EXISTS {messages_index} ON {messages} (user_id, thread_id, seq)
