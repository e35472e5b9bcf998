-- How long (seconds) the server has been up; a short uptime means a recent restart (or crash).
SELECT
    toFloat64(uptime()) AS value,
    concat('up since ', toString(now() - toIntervalSecond(uptime()))) AS detail
LIMIT 1
