"""The panel catalog: every panel of the dashboard, declared once (the assistant's tools come from here too)."""

from __future__ import annotations

from dashboard.panels import Panel, Param

PANELS: dict[str, Panel] = {}


def register(*panels: Panel) -> None:
    """Add panels to the catalog; names must be unique."""
    for panel in panels:
        if panel.name in PANELS:
            raise ValueError(f"duplicate panel name {panel.name}")
        PANELS[panel.name] = panel


register(
    Panel(
        name="server_info",
        title="Server",
        sql="home/server_info",
        description="Server version, uptime in seconds, number of databases, host name and time zone.",
        kind="kpi",
        ttl=60,
    ),
)

__all__ = ["PANELS", "Panel", "Param", "register"]
