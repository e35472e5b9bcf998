-- Which settings one query ran with (those changed from the defaults).
SELECT
    setting,
    value
FROM merge('system', '^query_log')
ARRAY JOIN mapKeys(Settings) AS setting, mapValues(Settings) AS value
WHERE event_date >= toDate({start:DateTime}) - 30 AND query_id = {query_id:String} AND type != 'QueryStart'
ORDER BY setting
LIMIT 1 BY setting
LIMIT 500
