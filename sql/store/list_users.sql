-- Every user id with at least one live thread.
SELECT DISTINCT user_id FROM {db:Identifier}.{threads:Identifier} FINAL ORDER BY user_id
