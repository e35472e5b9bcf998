-- Store one message of a thread; a message already stored (same checksum) is ignored.
INSERT INTO {messages} (user_id, thread_id, message_type, role, name, content, data, checksum, created_at)
VALUES (%(user_id)s, %(thread_id)s, %(message_type)s, %(role)s, %(name)s, %(content)s, %(data)s, %(checksum)s,
        %(created_at)s)
ON CONFLICT (user_id, thread_id, checksum) DO NOTHING
RETURNING seq
