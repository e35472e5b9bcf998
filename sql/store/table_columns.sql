-- The column names of a table (empty when it does not exist): tells the store's layout apart from the old one.
SELECT name FROM system.columns WHERE database = {database:String} AND table = {table:String}
