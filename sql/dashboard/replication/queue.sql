-- What the replication queue holds: oldest first, with tries, postpones and the last exception.
SELECT
    database,
    table,
    replica_name,
    type,
    create_time,
    new_part_name,
    is_currently_executing,
    num_tries,
    num_postponed,
    postpone_reason,
    last_exception,
    last_exception_time
FROM system.replication_queue
ORDER BY create_time
LIMIT 1000
