"""The app's frame: the navigation (declared as data) and the shared sidebar widgets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time
from pathlib import Path

import streamlit as st

from config import Settings
from core.errors import ChmError
from dashboard import context, status
from dashboard.catalog import PAGES, PANELS
from dashboard.panels import run_panel


@dataclass(frozen=True)
class NavItem:
    """One menu entry: the page script, its title and icon, and the system table it needs (if any)."""

    script: str
    title: str
    icon: str = ""
    url_path: str | None = None
    requires: str | None = None


def _dashboard_sections() -> dict[str, list[NavItem]]:
    sections: dict[str, list[NavItem]] = {}
    for page in PAGES.values():
        sections.setdefault(page.section, []).append(
            NavItem(page.script, page.title, page.icon, page.url_path, page.requires)
        )
    return sections


# Sections of the menu, in order. Pages are a few lines each under pages/; dashboard pages come from the catalog.
NAVIGATION: dict[str, list[NavItem]] = {
    "chmonitor": [NavItem("pages/home.py", "Home", ":material/home:", "home")],
    **_dashboard_sections(),
    "Assistant": [
        NavItem("pages/chat.py", "Chat", ":material/chat:", "chat"),
        NavItem("pages/conversations.py", "Conversations", ":material/forum:", "conversations"),
        NavItem("pages/history_analytics.py", "History analytics", ":material/analytics:", "history-analytics"),
    ],
}
UNAVAILABLE_MARK = " (n/a)"
ROOT = Path(__file__).resolve().parent.parent


def script_path(script: str) -> str:
    """A page script's absolute path, so pages resolve the same whichever folder the entry script runs from."""
    return str(ROOT / script)


@st.cache_data(ttl=60, show_spinner=False)
def _system_tables(host_index: int) -> frozenset[str] | None:
    try:
        frame = run_panel(context.get_connection(host_index), PANELS["frame_system_tables"])
    except ChmError:
        return None
    return frozenset(frame["name"])


@st.cache_data(ttl=300, show_spinner=False)
def _clusters(host_index: int) -> list[str]:
    try:
        frame = run_panel(context.get_connection(host_index), PANELS["frame_clusters"])
    except ChmError:
        return []
    return [] if frame.empty else list(frame["cluster"])


def navigation() -> dict[str, list]:
    """The st.navigation structure built from NAVIGATION; entries whose system table is missing are marked."""
    present = _system_tables(context.current_host_index())
    first = True
    sections: dict[str, list] = {}
    for section, items in NAVIGATION.items():
        pages = []
        for item in items:
            missing = bool(present is not None and item.requires and item.requires not in present)
            pages.append(st.Page(script_path(item.script), title=item.title + (UNAVAILABLE_MARK if missing else ""),
                                 icon=item.icon or None, url_path=item.url_path, default=first))
            first = False
        sections[section] = pages
    return sections


def leave_legacy_pages_mode() -> None:
    """Put Streamlit in `st.navigation` mode before the first session runs; call once per process, at start.

    A `pages/` folder beside the entry script starts Streamlit in its legacy multipage mode until some run calls
    `st.navigation` ("as soon as any session of your app executes the st.navigation command, your app will ignore
    the pages/ directory (across all sessions)", its API reference). Until then a first visit to `/overview` runs
    that page script without app.py and a first visit to `/queries-running` shows "Page not found". Declaring the
    navigation here, outside any session, makes that switch before anyone arrives (README: "Streamlit and pages/");
    one page is enough for it, and each page declared outside a session logs Streamlit's "missing ScriptRunContext".
    """
    home = NAVIGATION["chmonitor"][0]
    st.navigation([st.Page(script_path(home.script), title=home.title, url_path=home.url_path)], position="hidden")


def _init_from_url(key: str, allowed: list[str], default: str) -> None:
    if key not in st.session_state:
        value = st.query_params.get(key, default)
        st.session_state[key] = value if value in allowed else default


def _custom_range() -> None:
    dates = st.session_state.get("custom_dates")
    if isinstance(dates, (list, tuple)) and len(dates) == 2:
        start = datetime.combine(dates[0], time.min, UTC)
        end = datetime.combine(dates[1], time.max, UTC)
        st.session_state["custom_range"] = (start, end)
    else:
        st.session_state.pop("custom_range", None)


def sidebar(settings: Settings) -> None:
    """Host switcher, cluster picker, time range, auto-refresh and the own-queries toggle (all with explicit keys)."""
    labels = settings.clickhouse.host_labels
    _init_from_url("host", labels, labels[0])
    _init_from_url("range", [*context.TIME_RANGES, "custom"], context.DEFAULT_RANGE)
    _init_from_url("refresh", list(context.REFRESH_CHOICES), "off")
    with st.sidebar:
        if len(labels) > 1:
            st.selectbox("Host", labels, key="host", format_func=status.host_label)
        status.sidebar_state()
        clusters = _clusters(context.current_host_index())
        if clusters:
            _init_from_url("cluster", ["", *clusters], "")
            st.selectbox("Cluster (fan-out views)", ["", *clusters], key="cluster",
                         format_func=lambda name: name or "this host only")
        st.selectbox("Time range", [*context.TIME_RANGES, "custom"], key="range")
        if st.session_state["range"] == "custom":
            st.date_input("From / to (UTC)", key="custom_dates", value=[], on_change=_custom_range)
            if "custom_range" not in st.session_state:
                st.caption("Pick two dates; until then the last hour is shown.")
        st.selectbox("Auto-refresh", list(context.REFRESH_CHOICES), key="refresh")
        st.toggle("Hide chmonitor's own queries", value=True, key="hide_own")


def sync_query_params(page: object) -> None:
    """Mirror host, range, cluster and refresh into the URL so a view can be shared by link and survives a reload."""
    settings = context.get_settings()
    if len(settings.clickhouse.host_labels) > 1:
        st.query_params["host"] = st.session_state.get("host", settings.clickhouse.host_labels[0])
    st.query_params["range"] = st.session_state.get("range", context.DEFAULT_RANGE)
    if st.session_state.get("cluster"):
        st.query_params["cluster"] = st.session_state["cluster"]
    else:
        st.query_params.pop("cluster", None)
    if st.session_state.get("refresh", "off") != "off":
        st.query_params["refresh"] = st.session_state["refresh"]
    else:
        st.query_params.pop("refresh", None)
