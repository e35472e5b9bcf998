-- Which users exist, how they authenticate, where from and their default roles.
SELECT
    name,
    storage,
    auth_type,
    host_ip,
    host_names,
    default_roles_all,
    default_roles_list,
    default_database
FROM system.users
ORDER BY name
LIMIT 2000
