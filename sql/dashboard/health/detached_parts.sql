-- How many detached parts lie on disk (broken or unexpected parts end up there and hold space).
SELECT
    toFloat64(count()) AS value,
    concat(formatReadableSize(sum(bytes_on_disk)), '; reasons: ',
        arrayStringConcat(groupUniqArray(5)(ifNull(reason, '')), ', ')) AS detail
FROM system.detached_parts
LIMIT 1
