"""Faults at page level: ClickHouse unreachable at start and mid-session; every page says so clearly, fails fast,
and recovers by itself when the server is back."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from dashboard.frame import NAVIGATION
from dashboard.render import clear_results
from tests.chserver import ServerProcess

APP = str(Path(__file__).resolve().parent.parent / "app.py")
SCRIPTS = [item.script for items in NAVIGATION.values() for item in items]
RETRY = 1.5


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    process = ServerProcess(tmp_path_factory.mktemp("faults"))  # not started: the host is down at first
    yield process
    process.stop()


@pytest.fixture(autouse=True)
def env(monkeypatch: pytest.MonkeyPatch, server: ServerProcess) -> Iterator[None]:
    monkeypatch.setenv("CLICKHOUSE_HOST", server.url)
    monkeypatch.setenv("CHM_RETRY_AFTER", str(RETRY))
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()
    st.cache_data.clear()


def app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    PagesManager.uses_pages_directory = False
    return at.run()


def errors(at: AppTest) -> str:
    return "\n".join(e.value for e in at.error)


def test_every_page_reports_an_unreachable_server_quickly() -> None:
    at = app()
    assert not at.exception
    assert "not reachable" in errors(at) and "CLICKHOUSE_HOST" in errors(at)
    for script in SCRIPTS:
        started = time.monotonic()
        at.switch_page(script)
        at.run()
        assert not at.exception, (script, [e.message for e in at.exception])
        if script not in ("pages/conversations.py", "pages/history_analytics.py"):  # history needs no ClickHouse here
            assert "unreachable" in errors(at).lower() or "not reachable" in errors(at), script
        assert time.monotonic() - started < 20, f"{script} waited on a dead host"


def test_pages_recover_when_the_server_comes_back_and_after_it_drops(server: ServerProcess) -> None:
    at = app()
    assert "not reachable" in errors(at)
    server.start()
    time.sleep(RETRY + 0.2)
    at.run()
    assert not at.error, errors(at)
    assert any(m.label == "Version" for m in at.metric)
    at.switch_page("pages/overview.py")
    at.run()
    assert not at.exception and not at.error, errors(at)

    server.stop()  # mid-session: the cached connection now meets a dead host
    clear_results()  # the panel results expire
    at.run()
    assert not at.exception
    assert "unreachable" in errors(at).lower()

    server.start()
    time.sleep(RETRY + 0.2)
    clear_results()
    at.run()
    assert not at.exception and not at.error, errors(at)
