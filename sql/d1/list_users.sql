-- Every user with at least one live thread.
SELECT DISTINCT user_id FROM agent_threads WHERE deleted_at IS NULL ORDER BY user_id
