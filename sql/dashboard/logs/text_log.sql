-- What the server logged in the window, at or above a level, optionally matching a text.
SELECT
    event_time_microseconds AS time,
    level,
    logger_name,
    query_id,
    substring(message, 1, 500) AS message
FROM merge('system', '^text_log')
WHERE event_date >= toDate({start:DateTime}) AND event_time >= {start:DateTime} AND event_time <= {end:DateTime}
    AND level <= {level:String}
    AND ({text:String} = '' OR positionCaseInsensitive(message, {text:String}) > 0)
ORDER BY event_time_microseconds DESC
LIMIT {limit:UInt32}
