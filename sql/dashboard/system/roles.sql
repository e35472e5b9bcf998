-- Which roles exist and what each is granted.
SELECT
    r.name AS role,
    r.storage AS storage,
    groupArray(g.access_type) AS grants
FROM system.roles AS r
LEFT JOIN system.grants AS g ON g.role_name = r.name
GROUP BY role, storage
ORDER BY role
LIMIT 2000
