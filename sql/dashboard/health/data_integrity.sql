-- How many replica data-integrity events (lost data, failed checksums, failed fetches) happened since start.
SELECT
    toFloat64(sum(e.value)) AS value,
    arrayStringConcat(groupArray(concat(e.event, '=', toString(e.value))), ', ') AS detail
FROM system.events AS e
WHERE e.event IN ('ReplicatedDataLoss', 'ReplicatedPartChecksFailed', 'ReplicatedPartFailedFetches')
LIMIT 1
