-- Which clusters the server knows, for the sidebar's cluster picker.
SELECT DISTINCT cluster
FROM system.clusters
ORDER BY cluster
LIMIT 500
