-- Every user with at least one live thread.
SELECT DISTINCT user_id FROM {threads} WHERE deleted_at IS NULL ORDER BY user_id
