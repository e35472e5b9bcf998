-- Which storage policies exist: volumes, their disks and move rules.
SELECT
    policy_name,
    volume_name,
    volume_priority,
    arrayStringConcat(disks, ', ') AS disks,
    volume_type,
    max_data_part_size,
    move_factor,
    prefer_not_to_merge
FROM system.storage_policies
ORDER BY policy_name, volume_priority
LIMIT 500
