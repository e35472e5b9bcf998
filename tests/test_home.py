"""Home as a landing page, under AppTest on the session's real engine: connection state, health, figures, links."""

from __future__ import annotations

import uuid

import pytest
from streamlit.testing.v1 import AppTest

from core.connection import Connection, ServerInfo
from dashboard import home
from dashboard.catalog import PANELS
from dashboard.frame import NAVIGATION
from dashboard.panels import run_panel
from tests import apptest

pytestmark = pytest.mark.usefixtures("fresh_caches")


def _home() -> AppTest:
    at = apptest.app(timeout=90).run()
    assert not at.exception, at.exception
    return at


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_home_shows_server_connection_health_and_key_figures(conn: Connection) -> None:
    at = _home()
    metrics = _metrics(at)
    assert metrics["User"] == conn.server.user
    assert metrics["Access"] == "Read and write"
    assert metrics["Version"] == conn.server.version_text
    critical = next(label for label in metrics if label.endswith(" critical"))
    warning = next(label for label in metrics if label.endswith(" warning"))
    assert int(metrics[critical]) >= 0 and int(metrics[warning]) >= 0
    assert "Queries today" in metrics and metrics["Disk used"].endswith(" %")
    words = [label.rsplit(":", 1)[-1] for label in metrics]  # status labels start with a Material icon
    assert not any("_" in label for label in words), metrics


def test_home_links_to_health_and_every_area() -> None:
    at = _home()
    links = {link.proto.page for link in at.get("page_link")}
    assert "health" in links, links
    for section, items in NAVIGATION.items():
        if section != "chmonitor":
            assert items[0].url_path in links, section


def test_user_tables_count_what_people_made(conn: Connection) -> None:
    before = int(run_panel(conn, PANELS["server_info"]).iloc[0]["user_tables"])
    name = f"chm_test.home_{uuid.uuid4().hex[:8]}"
    conn.command(f"CREATE TABLE {name} (x UInt8) ENGINE = Memory")  # test setup DDL, not app SQL
    try:
        assert int(run_panel(conn, PANELS["server_info"]).iloc[0]["user_tables"]) == before + 1
        ignored = int(run_panel(conn, PANELS["server_info"], {"store_database": "chm_test"}).iloc[0]["user_tables"])
        assert ignored < before + 1
    finally:
        conn.command(f"DROP TABLE {name}")


def test_demo_offer_shows_exactly_when_the_engine_has_no_tables_of_its_own(conn: Connection) -> None:
    store_database = home.context.get_settings().conversation_table.split(".", 1)[0]
    empty = int(run_panel(conn, PANELS["server_info"], {"store_database": store_database}).iloc[0]["user_tables"]) == 0
    at = _home()
    offered = any("no tables of its own" in info.value for info in at.info)
    assert offered == empty


def test_active_alerts_appear_on_home_once_one_fires() -> None:
    from datetime import UTC, datetime

    from alerts.history import AlertLog, Event

    check = f"home_probe_{uuid.uuid4().hex[:8]}"
    assert not any(check in m.value for m in _home().markdown)
    log = AlertLog.from_settings(home.context.get_settings(), home.context.get_connection(0))
    log.record([Event("embedded", check, "firing", "warning", 91.0, 80.0, datetime.now(UTC), title=check)])
    try:
        body = "\n".join(m.value for m in _home().markdown)
        assert "Active alerts" in body and check in body
    finally:
        log.record([Event("embedded", check, "resolved", "ok", 10.0, 80.0, datetime.now(UTC), title=check)])


def test_access_label_says_read_only_with_its_level() -> None:
    assert home.access_label(ServerInfo("26.9.1", "monitor", 1)) == "Read-only (readonly=1)"
    assert home.access_label(ServerInfo("26.9.1", "monitor", 2)) == "Read-only (readonly=2)"
    assert home.access_label(ServerInfo("26.9.1", "default", 0)) == "Read and write"


def test_health_counts_every_status() -> None:
    counts = home.health_counts(["ok", "critical", "ok", "warning", "n/a"])
    assert counts == {"ok": 2, "warning": 1, "critical": 1, "n/a": 1, "no data": 0}
