"""The app's frame: the navigation (declared as data) and the shared sidebar widgets."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from chstore.settings import Settings
from dashboard import context


@dataclass(frozen=True)
class NavItem:
    """One menu entry: the page script, its title and icon, and the system table it needs (if any)."""

    script: str
    title: str
    icon: str = ""
    url_path: str | None = None
    requires: str | None = None


# Sections of the menu, in order. Pages are a few lines each under pages/.
NAVIGATION: dict[str, list[NavItem]] = {
    "chmonitor": [NavItem("pages/home.py", "Home", "🏠", "home")],
}


def navigation() -> dict[str, list]:
    """The st.navigation structure built from NAVIGATION."""
    first = True
    sections: dict[str, list] = {}
    for section, items in NAVIGATION.items():
        pages = []
        for item in items:
            pages.append(st.Page(item.script, title=item.title, icon=item.icon or None, url_path=item.url_path,
                                 default=first))
            first = False
        sections[section] = pages
    return sections


def _init_from_url(key: str, allowed: list[str], default: str) -> None:
    if key not in st.session_state:
        value = st.query_params.get(key, default)
        st.session_state[key] = value if value in allowed else default


def sidebar(settings: Settings) -> None:
    """Host switcher, time range, auto-refresh and the own-queries toggle (all with explicit keys)."""
    labels = settings.host_labels
    _init_from_url("host", labels, labels[0])
    _init_from_url("range", [*context.TIME_RANGES, "custom"], "1h")
    _init_from_url("refresh", list(context.REFRESH_CHOICES), "off")
    with st.sidebar:
        if len(labels) > 1:
            st.selectbox("Host", labels, key="host")
        st.selectbox("Time range", [*context.TIME_RANGES, "custom"], key="range")
        if st.session_state["range"] == "custom":
            st.date_input("From / to", key="custom_dates", value=[])
        st.selectbox("Auto-refresh", list(context.REFRESH_CHOICES), key="refresh")
        st.toggle("Hide chmonitor's own queries", value=True, key="hide_own")


def sync_query_params(page: object) -> None:
    """Mirror host and range into the URL so the view can be shared by link and survives a reload."""
    settings = context.get_settings()
    if len(settings.host_labels) > 1:
        st.query_params["host"] = st.session_state.get("host", settings.host_labels[0])
    st.query_params["range"] = st.session_state.get("range", "1h")
