"""Tables: databases and tables, one table in detail, parts per partition, detached parts, dictionaries."""

from __future__ import annotations

from dashboard.panels import Action, PageSpec, Panel, Param, docs_url

TABLE_LINK = {"table": "table-detail?database=database&table=table"}
_DB = Param("database", "String", "system", "database")
_TABLE = Param("table", "String", "query_log", "table")
_ONE = (_DB, _TABLE)

PANELS = (
    Panel(name="databases", title="Databases", sql="dashboard/tables/databases",
          description="Databases with engine, number of tables, rows and size.", ttl=60, requires="databases",
          docs=docs_url("databases")),
    Panel(name="tables", title="Tables", sql="dashboard/tables/tables",
          description="Tables with rows, compressed/uncompressed size, ratio and active parts.", ttl=60,
          params=(Param("database", "String", "", "database (empty: all)"),
                  Param("include_system", "UInt8", 0, "include system databases (1/0)", (0, 1)),
                  Param("name_like", "String", "", "name contains"), Param("limit", "UInt32", 2000, "rows")),
          requires="tables", docs=docs_url("tables"), links=TABLE_LINK),
    Panel(name="table_summary", title="Table", sql="dashboard/tables/table_summary", kind="kpi",
          y=("engine", "total_rows", "total_bytes", "active_parts"),
          description="One table's engine, rows, bytes and active parts.", params=_ONE, requires="tables",
          docs=docs_url("tables")),
    Panel(name="table_ddl", title="DDL and keys", sql="dashboard/tables/table_summary", kind="text",
          y=("ddl", "sorting_key", "partition_key"), description="One table's CREATE statement and keys.",
          params=_ONE, requires="tables", docs=docs_url("tables")),
    Panel(name="table_columns", title="Columns", sql="dashboard/tables/table_columns",
          description="Columns of one table with types, codecs and sizes.", params=_ONE, requires="columns",
          docs=docs_url("columns")),
    Panel(name="table_partitions", title="Partitions", sql="dashboard/tables/table_partitions",
          description="Partitions of one table: parts, rows, bytes.", params=_ONE, requires="parts",
          docs=docs_url("parts")),
    Panel(name="table_parts", title="Parts", sql="dashboard/tables/table_parts",
          description="Active parts of one table.", params=_ONE, requires="parts", docs=docs_url("parts")),
    Panel(name="table_indices", title="Skip indices", sql="dashboard/tables/table_indices",
          description="Data-skipping indices of one table.", params=_ONE, requires="data_skipping_indices",
          docs=docs_url("data_skipping_indices")),
    Panel(name="table_projections", title="Projections", sql="dashboard/tables/table_projections",
          description="Projections of one table.", params=_ONE, requires="projections",
          docs=docs_url("projections")),
    Panel(name="table_queries", title="Recent queries on it", sql="dashboard/tables/table_queries",
          description="Queries in the window that read or wrote one table.", params=_ONE, requires="query_log",
          docs=docs_url("query_log"), links={"query_id": "query-detail?query_id=query_id"}),
    Panel(name="parts_per_partition", title="Parts per partition", sql="dashboard/tables/parts_per_partition",
          description="Partitions with the most active parts.",
          params=(Param("database", "String", "", "database (empty: all)"),
                  Param("table", "String", "", "table (empty: all)"), Param("limit", "UInt32", 100, "rows")),
          requires="parts", docs=docs_url("parts"), links=TABLE_LINK),
    Panel(name="detached_parts", title="Detached parts", sql="dashboard/tables/detached_parts",
          description="Detached parts with their reason and size.", requires="detached_parts",
          docs=docs_url("detached_parts"), links=TABLE_LINK),
    Panel(name="dictionaries", title="Dictionaries", sql="dashboard/tables/dictionaries",
          variants=(((25, 8), "dashboard/tables/dictionaries_24_8"),),
          description="Dictionaries with status, size, hit rate and last error.", requires="dictionaries",
          docs=docs_url("dictionaries")),
    Panel(name="find_table", title="Find table", sql="dashboard/tables/find_table",
          description="Which databases hold a table of this name, user databases first.",
          params=(Param("table", "String", "", "table name"),), requires="tables", docs=docs_url("tables"),
          links=TABLE_LINK),
)

ACTIONS = (
    Action(name="optimize_table", title="Optimize table", sql="control/optimize_table",
           description="Merges a table's parts now (OPTIMIZE TABLE).",
           params=(Param("database", "Identifier", "", "database"), Param("table", "Identifier", "", "table"))),
)

PAGES = (
    PageSpec("databases", "Databases", "Tables", icon="🗄️", rows=(("databases",),), requires="databases"),
    PageSpec("tables", "Tables", "Tables", icon="📋", rows=(("tables",),), filters=("database", "include_system"),
             requires="tables"),
    PageSpec("table_detail", "Table detail", "Tables", icon="🔬",
             rows=(("table_summary",), ("table_columns",), ("table_partitions", "table_indices"),
                   ("table_projections",), ("table_parts",), ("table_ddl",), ("table_queries",)),
             filters=("database", "table"), actions=("optimize_table",), requires="tables",
             intro="Open a table from any table list."),
    PageSpec("parts_per_partition", "Parts per partition", "Tables", icon="🧩", rows=(("parts_per_partition",),),
             filters=("limit",), requires="parts"),
    PageSpec("detached_parts", "Detached parts", "Tables", icon="🧷", rows=(("detached_parts",),),
             requires="detached_parts"),
    PageSpec("dictionaries", "Dictionaries", "Tables", icon="📖", rows=(("dictionaries",),), requires="dictionaries"),
)

READS = {"databases": ("databases", "tables", "parts"), "tables": ("tables", "parts"),
         "table_summary": ("tables", "parts"), "table_projections": ("projections", "projection_parts")}
# What a question-matcher reads beside each panel: phrases in the words operators use.
ASK = {
    "databases": ("list databases", "databases present on the server", "schemas on the server"),
    "tables": ("list tables", "biggest largest tables by size", "tables taking the most disk space storage",
               "table rows and compression ratio", "tables in a database"),
    "table_summary": ("one table engine rows bytes", "how big is table"),
    "table_ddl": ("create table statement", "table definition ddl", "sorting key partition key of a table",
                  "show create table"),
    "table_columns": ("columns of a table", "table schema structure", "describe table", "column types codecs"),
    "table_partitions": ("partitions of a table", "rows per partition"),
    "table_parts": ("active parts of a table", "data parts list"),
    "table_indices": ("skip indexes indices of a table", "data skipping index bloom filter minmax"),
    "table_projections": ("projections of a table",),
    "table_queries": ("queries on a table", "queries reading or writing this table"),
    "parts_per_partition": ("too many parts", "tables ranked by part count", "parts per partition count",
                            "parts per table"),
    "detached_parts": ("unexpected or broken parts set aside by the server",),
    "dictionaries": ("state of dictionaries loaded", "dictionary load errors", "dictionary memory hit rate"),
}
