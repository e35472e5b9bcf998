-- Remove the messages of the user's deleted threads.
DELETE FROM {messages} WHERE user_id = %(user_id)s AND thread_id = ANY(%(ids)s)
