-- Sets the retention of a conversation table (CLICKHOUSE_AGENT_CONVERSATIONS_TTL_DAYS), counted from creation.
ALTER TABLE {db:Identifier}.{table:Identifier} MODIFY TTL toDateTime(created_at) + toIntervalDay({days:UInt32})
