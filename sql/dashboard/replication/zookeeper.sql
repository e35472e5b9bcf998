-- Which znodes Keeper (or ZooKeeper) holds under a path: children count, data size, last change, value head.
SELECT
    name,
    path,
    numChildren AS children,
    dataLength AS data_bytes,
    mtime AS modified,
    ctime AS created,
    substring(value, 1, 200) AS value
FROM system.zookeeper
WHERE path = {path:String}
ORDER BY name
LIMIT 1000
