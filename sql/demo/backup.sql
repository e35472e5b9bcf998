-- Backs the dictionary's source table up to memory, so the backups view has an entry.
BACKUP TABLE demo.colors TO Memory('chmonitor-demo')
