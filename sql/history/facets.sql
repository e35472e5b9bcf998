-- Conversations page: the choices of the tool and model filters, taken from the messages in scope.
SELECT
    arraySort(groupUniqArrayIf(name, role = 'tool' AND name != '')) AS tools,
    arraySort(groupUniqArrayIf(JSONExtractString(metadata, 'model'),
                               role = 'assistant' AND JSONExtractString(metadata, 'model') != '')) AS models
FROM {db:Identifier}.{table:Identifier}
WHERE kind = 'message' AND ({all_users:Bool} OR user_id = {user_id:String}) AND is_deleted = 0 AND role IN ('tool', 'assistant')
