-- Layout migration, step 1: moves the old thread table aside (kept, so nothing is lost), freeing its name.
RENAME TABLE {db:Identifier}.{table:Identifier} TO {db:Identifier}.{old:Identifier}
