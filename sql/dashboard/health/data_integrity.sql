-- How many replica data-integrity events (lost data, failed checksums, failed fetches) happened since start.
SELECT
    toFloat64(sum(value)) AS value,
    arrayStringConcat(groupArray(concat(event, '=', toString(value))), ', ') AS detail
FROM system.events
WHERE event IN ('ReplicatedDataLoss', 'ReplicatedPartChecksFailed', 'ReplicatedPartFailedFetches')
