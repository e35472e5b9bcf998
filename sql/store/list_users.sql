-- Every user id with at least one live thread.
SELECT DISTINCT user_id FROM {db:Identifier}.{table:Identifier} FINAL WHERE kind = 'thread' ORDER BY user_id
