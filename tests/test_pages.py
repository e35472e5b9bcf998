"""Every page of the app runs headless under AppTest without an exception or an error box."""

from __future__ import annotations

import time

import pytest
from streamlit.testing.v1 import AppTest

from core.connection import Connection
from dashboard.catalog import PAGES, PANELS
from dashboard.frame import NAVIGATION
from tests import apptest

SCRIPTS = [item.script for items in NAVIGATION.values() for item in items]


@pytest.fixture(scope="module")
def app(conn: Connection) -> AppTest:
    """The app, run once so the sidebar and navigation exist (the engine is the session's, its logs flushed)."""
    conn.query_df("SELECT 1")
    time.sleep(1.1)  # metric_log collects once a second
    conn.command("SYSTEM FLUSH LOGS")
    at = apptest.app().run()
    assert not at.exception
    return at


@pytest.mark.parametrize("script", SCRIPTS)
def test_page_runs(app: AppTest, script: str) -> None:
    apptest.open_page(app, script)
    app.run()
    assert not app.exception, [e.message for e in app.exception]
    assert app.selectbox(key="range").value, "the page ran inside app.py's frame (its sidebar)"
    if script.removeprefix("pages/").removesuffix(".py") in PAGES:
        assert not app.error, [e.value for e in app.error]
        assert app.header or app.markdown


def test_overview_draws_charts_and_cards(app: AppTest) -> None:
    apptest.open_page(app, "pages/overview.py")
    app.run()
    assert len(app.get("plotly_chart")) >= 12
    assert {m.label for m in app.metric} >= {"Version", "Uptime", "Running queries", "Disk used"}
    assert any(m.value.endswith(" %") for m in app.metric if m.label == "Disk used")


def test_health_shows_every_check_with_a_status(app: AppTest) -> None:
    apptest.open_page(app, "pages/health.py")
    app.run()
    counted = sum(int(m.value) for m in app.metric)
    assert counted == sum(1 for p in PANELS.values() if p.check) >= 20


def test_detail_pages_read_their_ids_from_the_url(conn: object) -> None:
    at = apptest.app()
    at.run()
    at.query_params["database"] = "system"
    at.query_params["table"] = "tables"
    apptest.open_page(at, "pages/table_detail.py")
    at.run()
    assert not at.exception
    assert at.text_input(key="f_table_detail_table").value == "tables"


def test_control_actions_are_off_by_default(app: AppTest) -> None:
    apptest.open_page(app, "pages/queries_running.py")
    app.run()
    assert not app.button or all(b.key != "a_kill_query_run" for b in app.button)
    assert any("CHM_ENABLE_CONTROL_ACTIONS" in c.value for c in app.caption)
