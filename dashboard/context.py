"""What every page shares: settings, connections, the conversation store, the user and the sidebar's choices.

Streamlit-facing glue only: the resources are cached with `st.cache_resource` and the choices live in
`st.session_state` (mirrored in `st.query_params` so a view can be shared by link).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import streamlit as st

from chstore import ConversationStore, DisabledError, open_store, resolve_store
from config import Settings, load_settings
from core import guard
from core.connection import Connection, connect
from core.errors import ChmError, ReadOnlyViolation
from dashboard.auth import oidc_identity
from dashboard.panels import DEFAULT_WINDOW

log = logging.getLogger("chmonitor")

TIME_RANGES: dict[str, timedelta] = {
    "15m": timedelta(minutes=15),
    "1h": DEFAULT_WINDOW,
    "6h": timedelta(hours=6),
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
}
DEFAULT_RANGE = "1h"
"""The sidebar's range when the URL names none (`DEFAULT_WINDOW`)."""
REFRESH_CHOICES: dict[str, int | None] = {"off": None, "5s": 5, "15s": 15, "30s": 30, "60s": 60}


@st.cache_resource(show_spinner=False)
def get_settings() -> Settings:
    """The app's Settings, built once per process (ConfigError propagates to app.py)."""
    return load_settings()


@st.cache_resource(show_spinner=False, ttl=None)
def _connection(host_index: int) -> Connection:
    conn = connect(get_settings(), host_index)
    refused = guard.check_shipped(conn)
    if refused:
        raise ReadOnlyViolation(f"shipped SQL refused by the guard: {refused}")
    return conn


def get_connection(host_index: int | None = None) -> Connection:
    """The cached connection to the selected host (raises a `core.errors` error when unreachable; not cached then)."""
    return _connection(current_host_index() if host_index is None else host_index)


@st.cache_resource(show_spinner=False)
def _store() -> ConversationStore:
    settings = get_settings()
    connection = None
    if resolve_store(settings).kind == "clickhouse" and settings.store_credentials() is None:
        connection = _connection(0)
    return open_store(settings, connection)


def get_store() -> ConversationStore | None:
    """The server-side conversation store, or None when history stays in the browser session (local)."""
    try:
        return _store()
    except DisabledError:
        return None


def store_label() -> str:
    """A one-line description of the conversation store in use, for the home page and the chat page."""
    settings = get_settings()
    try:
        choice = resolve_store(settings)
    except ChmError as exc:
        return f"misconfigured: {exc}"
    where = ""
    if choice.kind == "clickhouse":
        where = f" ({settings.conversation_table}{' on the embedded engine' if settings.clickhouse.embedded else ''})"
    return f"{choice.kind}{where} — {choice.reason}"


def current_host_index() -> int:
    """The host chosen in the sidebar (0 when there is one host or the embedded engine)."""
    settings = get_settings()
    labels = settings.clickhouse.host_labels
    label = st.session_state.get("host") or st.query_params.get("host")
    return labels.index(label) if label in labels else 0


@dataclass(frozen=True)
class TimeWindow:
    """The selected time range as absolute bounds (UTC) plus its label."""

    label: str
    start: datetime
    end: datetime

    @property
    def seconds(self) -> int:
        """Length of the window in seconds."""
        return int((self.end - self.start).total_seconds())


def window_for(label: str, now: datetime | None = None, custom: tuple[datetime, datetime] | None = None) -> TimeWindow:
    """Turn a range label (`1h`, `custom`…) into absolute bounds; unknown labels fall back to the default."""
    now = now or datetime.now(UTC)
    if label == "custom" and custom:
        return TimeWindow(label, custom[0], custom[1])
    if label not in TIME_RANGES:
        label = DEFAULT_RANGE
    return TimeWindow(label, now - TIME_RANGES[label], now)


def current_window() -> TimeWindow:
    """The time window chosen in the sidebar."""
    label = st.session_state.get("range") or st.query_params.get("range") or DEFAULT_RANGE
    custom = st.session_state.get("custom_range")
    return window_for(label, custom=custom if isinstance(custom, tuple) and len(custom) == 2 else None)


def hide_own_queries() -> bool:
    """Whether views of query_log leave out the dashboard's own queries."""
    return bool(st.session_state.get("hide_own", True))


def current_user() -> str | None:
    """Who is using the app: the signed-in user, else the trusted proxy header, else the single local user.

    None means "not signed in": a sign-in mechanism is configured but this request did not pass it.
    """
    settings = get_settings()
    try:
        if getattr(st.user, "is_logged_in", False):
            return oidc_identity(st.user)
    except Exception:  # st.user raises when authentication is not configured at all
        log.debug("streamlit authentication not configured")
    header = settings.app.trusted_user_header
    if header:
        value = (st.context.headers.get(header) or "").strip()
        return value or None
    return settings.app.local_user


def is_admin(user: str | None = None) -> bool:
    """Whether the user may see every user's conversations (`CHM_ADMIN_USERS`)."""
    user = user or current_user()
    return user is not None and user in get_settings().app.admins


def current_cluster() -> str | None:
    """The cluster picked in the sidebar, or None: cluster-wide panels then read the local tables."""
    return st.session_state.get("cluster") or None
