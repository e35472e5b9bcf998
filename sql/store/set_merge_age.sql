-- Gives a conversation table made before the merge-age setting the same one (idempotent): parts older than 10
-- minutes are merged, so a deleted thread's superseded rows leave the disk soon after the delete.
ALTER TABLE {db:Identifier}.{table:Identifier}
    MODIFY SETTING min_age_to_force_merge_seconds = 600, min_age_to_force_merge_on_partition_only = 0
