-- The messages of one thread of the user, in append order.
SELECT checksum, role, name, content, data, created_at
FROM {messages}
WHERE user_id = %(user_id)s AND thread_id = %(thread_id)s
ORDER BY seq
