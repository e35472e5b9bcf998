-- Who logged in or failed to in the window: user, interface, address, client and failure reason (session_log).
SELECT
    event_time,
    type,
    user,
    auth_type,
    interface,
    toString(client_address) AS client_address,
    client_name,
    failure_reason
FROM merge('system', '^session_log')
WHERE event_date >= toDate({start:DateTime}) AND event_time >= {start:DateTime} AND event_time <= {end:DateTime}
    AND ({only_failures:UInt8} = 0 OR type = 'LoginFailure')
ORDER BY event_time DESC
LIMIT {limit:UInt32}
