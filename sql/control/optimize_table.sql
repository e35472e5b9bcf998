-- Ask the server to merge a table's parts now (an unscheduled merge; it can be heavy on big tables).
OPTIMIZE TABLE {database:Identifier}.{table:Identifier}
