-- Which profile events one query incremented, largest first.
SELECT
    event,
    value
FROM merge('system', '^query_log')
ARRAY JOIN mapKeys(ProfileEvents) AS event, mapValues(ProfileEvents) AS value
WHERE event_date >= toDate({start:DateTime}) - 30 AND query_id = {query_id:String} AND type != 'QueryStart'
ORDER BY value DESC
LIMIT 500
