"""The connection's state where people look: one banner when a host is down, the read-only note, down hosts marked.

A host that does not answer gets one banner at the top of the page (its label, the cause in plain words, what to
check, when it retries) instead of one driver error per panel; the page's panels wait under it and the page reruns
by itself once the retry window has passed.
"""

from __future__ import annotations

import time

import streamlit as st

from core.connection import Connection, ServerInfo, check_down, down_for
from core.errors import ChmError, QueryError
from dashboard import context


def connection_problem(exc: BaseException) -> bool:
    """True for errors that mean "this host cannot be used at all" (unreachable, refused credentials)."""
    return isinstance(exc, QueryError) and bool(exc.cause)


def banner_text(label: str, exc: QueryError, retry_in: float) -> str:
    """The banner's words: host, cause, what to check, when it retries (pure, for tests)."""
    when = f"retrying in {max(1, round(retry_in))} s" if retry_in > 0 else "retrying on the next refresh"
    return (f"**{label}** is not answering: **{exc.cause}**. Check {exc.check}. Panels wait until it answers; "
            f"{when}.")


def read_only_note(info: ServerInfo) -> str:
    """One line on who the app is on the server and which limits apply (pure)."""
    return info.describe()


def _server(index: int) -> tuple[Connection | None, ServerInfo | None, QueryError | None]:
    try:
        conn = context.get_connection(index)
        if conn.url:
            check_down(conn.url)  # a cached connection whose host stopped answering
        return conn, conn.server, None
    except ChmError as exc:
        if connection_problem(exc):
            return None, None, exc  # type: ignore[return-value]
        raise


def host_down(index: int) -> bool:
    """Whether host `index` is inside its fail-fast window (only a configured server can be down)."""
    settings = context.get_settings()
    return not settings.clickhouse.embedded and down_for(settings.clickhouse.hosts[index]) > 0


def _wait(index: int, shown_at: float, retry: float) -> None:
    """Rerun the page once the retry window since the banner was drawn has passed and the host is not marked down."""
    if time.monotonic() - shown_at >= retry and not host_down(index):
        st.rerun()


def banner(index: int | None = None) -> bool:
    """Draw the down-host banner when the selected host does not answer; True when it answers."""
    settings = context.get_settings()
    index = context.current_host_index() if index is None else index
    _, _, error = _server(index)
    if error is None:
        return True
    retry_in = 0.0 if settings.clickhouse.embedded else down_for(settings.clickhouse.hosts[index])
    st.warning(banner_text(settings.clickhouse.host_labels[index], error, retry_in), icon=":material/cloud_off:")
    retry = max(1.0, settings.engine.retry_after)
    st.fragment(run_every=retry)(_wait)(index, time.monotonic(), retry)
    return False


def sidebar_state() -> None:
    """The sidebar's connection line: user, version, read-only state (or that the host is down)."""
    index = context.current_host_index()
    try:
        _, info, error = _server(index)
    except ChmError as exc:
        st.caption(f"Connection: {exc}")
        return
    if error is not None:
        st.caption(f":material/cloud_off: {context.get_settings().clickhouse.host_labels[index]}: {error.cause}")
    elif info is not None and info.readonly:
        st.caption(f":material/lock: Read-only user `{info.user}` (readonly={info.readonly}): "
                   + ("limits come from the server's profile" if info.readonly == 1 else "limits sent, readonly fixed"))
    elif info is not None:
        st.caption(f"User `{info.user}` · ClickHouse {info.version_text}")


def host_label(label: str) -> str:
    """A host switcher entry, marked when that host is down."""
    settings = context.get_settings()
    index = settings.clickhouse.host_labels.index(label)
    return f"{label} (down)" if host_down(index) else label
