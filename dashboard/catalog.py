"""The panel catalog: every panel, action and page of the dashboard, declared once (the assistant's tools too)."""

from __future__ import annotations

from dataclasses import replace

from dashboard import (
    catalog_health,
    catalog_logs,
    catalog_merges,
    catalog_overview,
    catalog_queries,
    catalog_replication,
    catalog_system,
    catalog_tables,
)
from dashboard.panels import Action, PageSpec, Panel, Param, health_settings

PANELS: dict[str, Panel] = {}
ACTIONS: dict[str, Action] = {}
PAGES: dict[str, PageSpec] = {}


def register(*panels: Panel) -> None:
    """Add panels to the catalog; names must be unique."""
    for panel in panels:
        if panel.name in PANELS:
            raise ValueError(f"duplicate panel name {panel.name}")
        PANELS[panel.name] = panel


def register_pages(*pages: PageSpec) -> None:
    """Add pages to the catalog; keys must be unique and every panel they draw must be registered."""
    for page in pages:
        if page.key in PAGES:
            raise ValueError(f"duplicate page {page.key}")
        missing = [name for name in page.panel_names if name not in PANELS]
        if missing:
            raise ValueError(f"page {page.key} draws unknown panels {missing}")
        PAGES[page.key] = page


register(
    Panel(
        name="server_info",
        title="Server",
        sql="home/server_info",
        description="Server version, uptime in seconds, number of databases, host name, time zone and how many "
        "tables people made.",
        kind="kpi",
        ttl=60,
        phrases=("server version", "uptime how long has the server been up", "which server host time zone"),
        tables=("databases",),
        units={"uptime_seconds": "s", "databases": "count", "user_tables": "count"},
        params=(Param("store_database", "String", "", "the conversation store's database (not counted)"),),
    ),
    Panel(name="frame_system_tables", title="System tables", sql="dashboard/frame/system_tables",
          description="Names of the system tables this server has (marks menu entries whose table is missing).",
          ttl=300, requires="tables"),
    Panel(name="frame_clusters", title="Clusters", sql="dashboard/frame/clusters",
          description="Cluster names for the sidebar's cluster picker.", ttl=300, requires="clusters"),
)

_MODULES = (catalog_overview, catalog_queries, catalog_tables, catalog_merges, catalog_replication, catalog_logs,
            catalog_system, catalog_health)
for _module in _MODULES:
    _reads = getattr(_module, "READS", {})
    register(*(replace(p, phrases=_module.ASK.get(p.name, p.phrases), tables=_reads.get(p.name, p.tables))
               for p in _module.PANELS))
for _module in _MODULES:
    register_pages(*_module.PAGES)
for _action in (*catalog_queries.ACTIONS, *catalog_tables.ACTIONS):
    ACTIONS[_action.name] = _action

HealthSettings = health_settings(panel.check for panel in PANELS.values() if panel.check)
"""The health thresholds' settings sub-model, made from every declared check (`CHM_HEALTH_<CHECK>_WARNING`…)."""

__all__ = ["ACTIONS", "PAGES", "PANELS", "Action", "HealthSettings", "PageSpec", "Panel", "Param", "register"]
