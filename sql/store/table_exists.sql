-- Whether a table exists (1) or not (0).
SELECT count() FROM system.tables WHERE database = {database:String} AND name = {table:String}
