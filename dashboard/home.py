"""The home page body: a landing page saying who answers, how it is doing, and where to go next."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from config import Settings
from core.connection import ServerInfo
from core.errors import ChmError
from dashboard import alerts_view, context, demo, status
from dashboard.catalog import PANELS
from dashboard.frame import NAVIGATION, script_path
from dashboard.panels import format_duration
from dashboard.render import STATUS_ICON, Missing, fetch_panel, health_results, render_panel

HEALTH_PAGE = "pages/health.py"
def format_uptime(seconds: int) -> str:
    """`3d 4h 5m` style uptime."""
    days, rest = divmod(int(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    return f"{days}d {hours}h {minutes}m" if days else f"{hours}h {minutes}m"


def access_label(info: ServerInfo) -> str:
    """`Read-only (readonly=1)` or `Read and write`: what the connection's user may do (pure)."""
    return f"Read-only (readonly={info.readonly})" if info.readonly else "Read and write"


def health_counts(statuses: Sequence[str]) -> dict[str, int]:
    """How many checks are in each status (every status present, zero when none) (pure)."""
    counts = pd.Series(list(statuses), dtype="object").value_counts()
    return {state: int(counts.get(state, 0)) for state in STATUS_ICON}


def _server(settings: Settings) -> pd.DataFrame | Missing:
    store_database = settings.conversation_table.split(".", 1)[0]
    try:
        return fetch_panel(PANELS["server_info"], {"store_database": store_database})
    except ChmError as exc:
        return Missing(getattr(exc, "name", None), str(exc))


def _connection(frame: pd.DataFrame | Missing) -> None:
    info = context.get_connection().server
    if isinstance(frame, Missing):
        st.info(f"Server details are not available: {frame.message}")
        return
    row = frame.iloc[0]
    cols = st.columns(6)
    cols[0].metric("Version", str(row["version"]))
    cols[1].metric("Uptime", format_uptime(int(row["uptime_seconds"])), help=format_duration(row["uptime_seconds"]))
    cols[2].metric("Databases", int(row["databases"]))
    cols[3].metric("Host", str(row["host"]))
    cols[4].metric("User", info.user)
    cols[5].metric("Access", access_label(info))
    st.caption(f":material/link: {status.read_only_note(info)}")


def _health() -> None:
    st.subheader("Health", anchor=False)
    results, unreachable = health_results()
    if unreachable is not None:
        st.error(f"The checks could not run: {unreachable}")
        return
    counts = health_counts([result[1] for result in results])
    cols = st.columns([1, 1, 1, 3])
    cols[0].metric(f"{STATUS_ICON['critical']} critical", counts["critical"])
    cols[1].metric(f"{STATUS_ICON['warning']} warning", counts["warning"])
    cols[2].metric(f"{STATUS_ICON['ok']} ok", counts["ok"])
    firing = [panel.title for panel, state, *_ in results if state in ("critical", "warning")]
    with cols[3]:
        st.page_link(script_path(HEALTH_PAGE), label=f"Open Health ({len(results)} checks)", icon=":material/health_and_safety:")
        if firing:
            st.caption("Firing: " + ", ".join(firing))
    _alerts()


def _alerts() -> None:
    alerts = alerts_view.active_lines()
    if alerts:
        st.markdown("**Active alerts** ([Health](/health))")
        st.markdown("\n".join(f"- :orange[:material/notifications_active:] {line}" for line in alerts))


def _areas() -> None:
    st.subheader("Areas", anchor=False)
    sections = [(section, items[0]) for section, items in NAVIGATION.items() if section != "chmonitor"]
    cols = st.columns(4)
    for index, (section, item) in enumerate(sections):
        with cols[index % 4]:
            st.page_link(script_path(item.script), label=section, icon=item.icon or None)


def _demo_offer(settings: Settings, frame: pd.DataFrame | Missing) -> None:
    """On an embedded engine without tables of its own, say why pages are empty; the demo workload starts here."""
    if not settings.clickhouse.embedded or isinstance(frame, Missing) or int(frame.iloc[0]["user_tables"]):
        return
    st.info("This embedded engine has no tables of its own yet, so pages about tables, merges, mutations and slow "
            "or failed queries show no rows.", icon=":material/science:")


def render_home() -> None:
    """Draw Home: server and connection state, health summary, active alerts, key figures, links into each area."""
    settings = context.get_settings()
    st.title("chmonitor", anchor=False)
    st.caption("ClickHouse-native monitoring, an assistant that answers with real queries, and its history.")
    if settings.clickhouse.embedded:
        st.markdown(f"**Engine:** embedded ClickHouse (chdb), data in `{settings.engine.data_dir}`")
    else:
        clickhouse = settings.clickhouse
        hosts = ", ".join(f"{label} ({url})" for label, url in zip(clickhouse.host_labels, clickhouse.hosts, strict=True))
        st.markdown(f"**Engine:** ClickHouse server(s): {hosts}")
    if not status.banner():
        st.markdown(f"**Conversation store:** {context.store_label()}")
        return
    frame = _server(settings)  # cached like any panel: shared by every session for seconds
    _connection(frame)
    _demo_offer(settings, frame)
    demo.render_offer(settings)
    _health()
    st.subheader("Key figures", anchor=False)
    render_panel("home_kpis", title=False)
    _areas()
    st.markdown(f"**Conversation store:** {context.store_label()}")
