-- Every live thread id of one user with its version (for deleting them all).
SELECT thread_id, version, created_at
FROM {db:Identifier}.{threads:Identifier} FINAL
WHERE user_id = {user_id:String}
