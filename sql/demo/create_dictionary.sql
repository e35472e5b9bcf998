-- Creates a dictionary over demo.colors (loaded from this server itself), read by the demo's queries.
CREATE DICTIONARY IF NOT EXISTS demo.color_names (id UInt64, name String)
PRIMARY KEY id
SOURCE(CLICKHOUSE(DB 'demo' TABLE 'colors'))
LAYOUT(FLAT())
LIFETIME(MIN 0 MAX 300)
