-- How many dictionaries failed to load or have a last exception.
SELECT
    toFloat64(count()) AS value,
    arrayStringConcat(groupArray(5)(concat(database, '.', name)), ', ') AS detail
FROM system.dictionaries
WHERE status IN ('FAILED', 'FAILED_AND_RELOADING') OR last_exception != ''
LIMIT 1
