"""System: settings, disks and storage policies, warnings, async inserts, backups, users and roles."""

from __future__ import annotations

from dashboard.panels import PageSpec, Panel, Param, docs_url

_TEXT = Param("text", "String", "", "name contains")
_CHANGED = Param("changed_only", "UInt8", 0, "only changed (1/0)", (0, 1))
_ACCESS = "grant the dashboard's user SHOW USERS and SHOW ROLES (the embedded engine denies them)"
_ENTITIES = "access entities: the embedded engine's one user may not read them (ACCESS_DENIED)"
_NO_ASYNC_QUEUE = ("asynchronous inserts: chdb's local engine starts no async insert queue, so an insert with "
                   "async_insert=1 is written at once and nothing is buffered or logged")

PANELS = (
    Panel(name="changed_settings", title="Changed settings", sql="dashboard/system/changed_settings", ttl=300,
          description="Session settings that differ from their defaults.", requires="settings",
          docs=docs_url("settings")),
    Panel(name="merge_tree_settings", title="MergeTree settings", sql="dashboard/system/merge_tree_settings",
          variants=(((25, 8), "dashboard/system/merge_tree_settings_24_8"),),
          params=(_TEXT, _CHANGED), ttl=300, description="MergeTree settings in force, changed first.",
          requires="merge_tree_settings", docs=docs_url("merge_tree_settings")),
    Panel(name="server_settings", title="Server settings", sql="dashboard/system/server_settings",
          params=(_TEXT, _CHANGED), ttl=300, description="Server settings in force, changed first.",
          requires="server_settings", docs=docs_url("server_settings")),
    Panel(name="disks",
          units={"free_space": "bytes", "total_space": "bytes", "used_pct": "pct", "keep_free_space": "bytes"},
          labels={"free_space": "Free", "total_space": "Total", "used_pct": "Used", "keep_free_space": "Kept free"},
          title="Disks", sql="dashboard/system/disks", ttl=60,
          description="Disks with free, total and used percent.", requires="disks", docs=docs_url("disks")),
    Panel(name="storage_policies",
          units={"max_data_part_size": "bytes", "move_factor": "ratio"},
          title="Storage policies", sql="dashboard/system/storage_policies", ttl=300,
          description="Storage policies, volumes and their disks.", requires="storage_policies",
          docs=docs_url("storage_policies")),
    Panel(name="warnings", title="Server warnings", sql="dashboard/system/warnings", ttl=60,
          description="What the server warns about.", requires="warnings", docs=docs_url("warnings")),
    Panel(name="async_inserts_pending",
          units={"total_bytes": "bytes", "entries": "count"},
          labels={"total_bytes": "Size"},
          title="Pending async inserts", sql="dashboard/system/async_inserts_pending",
          ttl=5, description="Asynchronous inserts buffered and not yet flushed.", requires="asynchronous_inserts",
          docs=docs_url("asynchronous_inserts"), needs_server=_NO_ASYNC_QUEUE),
    Panel(name="async_insert_log",
          units={"rows": "count", "bytes": "bytes"},
          labels={"bytes": "Size"},
          title="Async insert log", sql="dashboard/system/async_insert_log",
          params=(Param("limit", "UInt32", 500, "rows"),),
          description="Asynchronous insert flushes in the window with status and error.",
          requires="asynchronous_insert_log", docs=docs_url("asynchronous_insert_log"),
          links={"query_id": "query-detail?query_id=query_id"}, needs_server=_NO_ASYNC_QUEUE),
    Panel(name="backups",
          units={"num_files": "count", "total_size": "bytes", "compressed_size": "bytes"},
          labels={"num_files": "Files"},
          title="Backups and restores", sql="dashboard/system/backups", ttl=60,
          description="Backups and restores since start with status and size.", requires="backups",
          docs=docs_url("backups")),
    Panel(name="users", title="Users", sql="dashboard/system/users", ttl=300, enable=_ACCESS,
          description="Users, their authentication, allowed hosts and default roles.", requires="users",
          docs=docs_url("users"), acceptable_errors=frozenset({"ACCESS_DENIED"}), needs_server=_ENTITIES),
    Panel(name="roles", title="Roles", sql="dashboard/system/roles", ttl=300, enable=_ACCESS,
          description="Roles and their grants.", requires="roles", docs=docs_url("roles"),
          acceptable_errors=frozenset({"ACCESS_DENIED"}), needs_server=_ENTITIES),
)

PAGES = (
    PageSpec("changed_settings", "Changed settings", "System", icon=":material/tune:", rows=(("changed_settings",),),
             requires="settings"),
    PageSpec("merge_tree_settings", "MergeTree settings", "System", icon=":material/account_tree:",
             rows=(("merge_tree_settings",),),
             filters=("text", "changed_only"), requires="merge_tree_settings"),
    PageSpec("server_settings", "Server settings", "System", icon=":material/dns:", rows=(("server_settings",),),
             filters=("text", "changed_only"), requires="server_settings"),
    PageSpec("disks", "Disks and storage", "System", icon=":material/hard_drive:",
             rows=(("disks",), ("storage_policies",)),
             requires="disks"),
    PageSpec("warnings", "Warnings", "System", icon=":material/warning:", rows=(("warnings",),), requires="warnings"),
    PageSpec("async_inserts", "Async inserts", "System", icon=":material/outbox:",
             rows=(("async_inserts_pending",), ("async_insert_log",)), filters=("limit",),
             requires="asynchronous_inserts"),
    PageSpec("backups", "Backups", "System", icon=":material/backup:", rows=(("backups",),), requires="backups"),
    PageSpec("users_roles", "Users and roles", "System", icon=":material/group:",
             rows=(("users",), ("roles",)), requires="users"),
)

READS = {"roles": ("roles", "grants")}
# What a question-matcher reads beside each panel: phrases in the words operators use.
ASK = {
    "changed_settings": ("settings differing from default values", "changed session settings", "non default settings",
                         "query level settings of the user profile"),
    "merge_tree_settings": ("merge tree engine settings", "merge tree table settings parts_to_throw_insert"),
    "server_settings": ("server settings", "server configuration values", "config changed",
                        "server-wide config.xml settings needing a restart",
                        "max_concurrent_queries max_connections max_server_memory_usage mark_cache_size",
                        "uncompressed_cache_size background_pool_size max_table_size_to_drop keep_alive_timeout"),
    "disks": ("disk space", "free disk", "free space left on disks", "is the disk full", "disk used percent"),
    "storage_policies": ("storage policies", "volumes and disks of a policy", "tiered storage"),
    "warnings": ("warnings the server raises", "deprecations and limits the server warns about"),
    "async_inserts_pending": ("pending async inserts", "asynchronous inserts buffered not flushed"),
    "async_insert_log": ("async insert log", "asynchronous insert flushes status error"),
    "backups": ("backups", "restores", "backup status size"),
    "users": ("users", "accounts authentication", "who can connect"),
    "roles": ("roles", "grants permissions privileges"),
}
