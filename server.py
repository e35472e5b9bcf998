"""What `make run` serves: the Streamlit app (`app.py`) plus the streamed export route, as one ASGI app.

    streamlit run server.py     # Streamlit finds `app` below and serves it with uvicorn (flags as for app.py)
    uvicorn server:app          # the same app under any ASGI server

`app.py` stays the script every session runs; this module is imported once per process. With `CHM_ALERTS=true`
the app's lifespan also runs the alert watcher in a thread of this process (one replica only: see README).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import streamlit as st

from alerts.watcher import start_thread
from config import load_settings
from core.errors import ConfigError
from dashboard.frame import leave_legacy_pages_mode
from history import download


@asynccontextmanager
async def lifespan(_: st.App) -> AsyncIterator[None]:
    """At start, leave Streamlit's legacy `pages/` mode before any session arrives; start the alert watcher with the
    server when `CHM_ALERTS=true`, and stop it when the server stops."""
    leave_legacy_pages_mode()
    try:
        settings = load_settings()
    except ConfigError:  # app.py shows the error on every page; the watcher cannot run without settings
        yield
        return
    if not settings.alerts.enabled:
        yield
        return
    thread, stop = start_thread(settings)
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=settings.clickhouse.max_execution_time + 5)


app = st.App("app.py", routes=download.routes(), lifespan=lifespan)
