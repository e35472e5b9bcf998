-- How much disk the system log tables take (GiB); they grow without bound unless they have a TTL.
SELECT
    round(sum(bytes_on_disk) / pow(1024, 3), 3) AS value,
    arrayStringConcat(arraySlice(arrayReverseSort(x -> x.2, groupArray((table, bytes_on_disk))).1, 1, 3), ', ') AS detail
FROM (
    SELECT table, sum(bytes_on_disk) AS bytes_on_disk
    FROM system.parts
    WHERE active AND database = 'system' AND table LIKE '%\_log%'
    GROUP BY table
)
LIMIT 1
