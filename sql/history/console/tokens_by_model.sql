-- Tokens by model
SELECT JSONExtractString(metadata, 'model') AS model, count() AS answers,
       sum(JSONExtractUInt(metadata, 'usage', 'total_tokens')) AS total_tokens
FROM messages
WHERE role = 'assistant'
GROUP BY model
ORDER BY total_tokens DESC, answers DESC
