-- History analytics: answers and token usage per model in the window (assistant messages' metadata `model` and
-- `usage.prompt_tokens` / `usage.completion_tokens` / `usage.total_tokens`; the built-in assistant uses none).
SELECT
    if(JSONExtractString(metadata, 'model') = '', '(unknown)', JSONExtractString(metadata, 'model')) AS model,
    count() AS answers,
    sum(JSONExtractUInt(metadata, 'usage', 'prompt_tokens')) AS prompt_tokens,
    sum(JSONExtractUInt(metadata, 'usage', 'completion_tokens')) AS completion_tokens,
    sum(JSONExtractUInt(metadata, 'usage', 'total_tokens')) AS total_tokens
FROM {db:Identifier}.{table:Identifier} FINAL
WHERE kind = 'message' AND ({all_users:Bool} OR user_id = {user_id:String})
  AND role = 'assistant'
  AND created_at >= {start:DateTime64(3, 'UTC')} AND created_at < {end:DateTime64(3, 'UTC')}
GROUP BY model
ORDER BY total_tokens DESC, answers DESC, model
