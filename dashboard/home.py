"""The home page body: which engine answers, how it is doing, and where conversations are kept."""

from __future__ import annotations

import streamlit as st

from chstore.errors import ChStoreError
from dashboard import context, demo, status
from dashboard.catalog import PANELS
from dashboard.frame import ensure_router
from dashboard.render import Missing, fetch_panel


def format_uptime(seconds: int) -> str:
    """`3d 4h 5m` style uptime."""
    days, rest = divmod(int(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    return f"{days}d {hours}h {minutes}m" if days else f"{hours}h {minutes}m"


def render_home() -> None:
    """Draw the home page: engine, version, uptime, database count, conversation store."""
    ensure_router()
    settings = context.get_settings()
    st.title("chmonitor")
    st.caption("ClickHouse-native monitoring, an assistant that answers with real queries, and its history.")
    if settings.embedded:
        st.markdown(f"**Engine:** embedded ClickHouse (chdb), data in `{settings.chm_data_dir}`")
    else:
        hosts = ", ".join(f"{label} ({url})" for label, url in zip(settings.host_labels, settings.hosts, strict=True))
        st.markdown(f"**Engine:** ClickHouse server(s): {hosts}")
    if not status.banner():
        st.markdown(f"**Conversation store:** {context.store_label()}")
        return
    st.markdown(f"**Connection:** {status.read_only_note(context.get_connection().server)}")
    try:
        frame = fetch_panel(PANELS["server_info"])  # cached like any panel: shared by every session for seconds
    except ChStoreError as exc:
        frame = Missing(getattr(exc, "name", None), str(exc))
    if isinstance(frame, Missing):
        st.info(f"Server details are not available: {frame.message}")
    else:
        row = frame.iloc[0]
        cols = st.columns(4)
        cols[0].metric("Version", str(row["version"]))
        cols[1].metric("Uptime", format_uptime(int(row["uptime_seconds"])))
        cols[2].metric("Databases", int(row["databases"]))
        cols[3].metric("Host", str(row["host"]))
    st.markdown(f"**Conversation store:** {context.store_label()}")
    demo.render_offer(settings)
