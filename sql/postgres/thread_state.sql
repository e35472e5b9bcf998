-- Whether the user's thread exists and whether it was deleted.
SELECT deleted_at IS NOT NULL AS deleted FROM {threads} WHERE user_id = %(user_id)s AND id = %(thread_id)s
