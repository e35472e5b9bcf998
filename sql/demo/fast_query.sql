-- A fast demo query: events per kind and color name in the last hour (reads the dictionary).
SELECT kind, dictGet('demo.color_names', 'name', color_id) AS color, count() AS events, round(avg(value), 2) AS avg_value
FROM demo.events
WHERE ts >= now() - INTERVAL 1 HOUR
GROUP BY kind, color
ORDER BY events DESC
LIMIT 10
