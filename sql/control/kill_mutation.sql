-- Stop one unfinished mutation of a table; parts already mutated stay mutated.
KILL MUTATION WHERE database = {database:String} AND table = {table:String} AND mutation_id = {mutation_id:String} ASYNC
