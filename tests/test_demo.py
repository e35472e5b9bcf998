"""The demo workload on the real test engine: what it creates, what the panels and health checks see, its limits."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import streamlit as st

from core.connection import Connection
from core.errors import ConfigError
from core.settings import Settings, load_settings
from dashboard import demo
from dashboard.catalog import PANELS
from dashboard.panels import run_panel
from tests import apptest

RUN_SECONDS = 20.0
# Checks that need replicas, Keeper or a cluster: the embedded engine has none, so the demo cannot make them real.
REPLICATION_CHECKS = frozenset({"health_readonly_replicas", "health_replication_lag", "health_replication_queue_age",
                                "health_distribution_queue", "health_data_integrity", "health_unreachable_nodes"})


def wait_until(condition, timeout: float = 180.0, every: float = 0.2) -> None:  # noqa: ANN001
    """Poll `condition` until it holds; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "state not reached in time"
        time.sleep(every)


@pytest.fixture(scope="module")
def ran(settings: Settings, conn: Connection) -> Iterator[demo.DemoStatus]:
    """One demo run of RUN_SECONDS on the test engine, waited for to its end; the demo database removed after."""
    assert demo.start(settings, conn, seconds=RUN_SECONDS) is True
    assert demo.start(settings, conn, seconds=RUN_SECONDS) is False, "a second start while running must be a no-op"
    wait_until(lambda: not demo.status().running)
    conn.command("SYSTEM FLUSH LOGS")
    yield demo.status()
    demo.remove(settings, conn)


def test_it_stops_by_itself(ran: demo.DemoStatus) -> None:
    assert ran.error == ""
    assert not ran.running
    took = (ran.finished_at - ran.started_at).total_seconds()
    assert RUN_SECONDS <= took < RUN_SECONDS + 120


def test_it_creates_the_demo_objects(conn: Connection, ran: demo.DemoStatus) -> None:
    tables = {row[0]: row[1] for row in conn.query_rows(
        "SELECT name, engine FROM system.tables WHERE database = 'demo'")}
    assert tables == {"events": "MergeTree", "colors": "MergeTree", "too_many_parts": "MergeTree",
                      "color_names": "Dictionary"}
    state = demo.status_row(conn)
    assert state["databases"] == 1 and state["piled_parts"] >= demo.PILED_PARTS
    events = conn.query_rows("SELECT count() FROM demo.events")[0][0]
    assert events >= demo.EVENTS_PER_BATCH


def test_panels_see_the_demo(conn: Connection, ran: demo.DemoStatus) -> None:
    def rows(name: str, **values: object) -> list[dict]:
        return run_panel(conn, PANELS[name], values).to_dict("records")

    assert any(r["database"] == "demo" and r["name"] == "color_names" and r["status"] == "LOADED"
               for r in rows("dictionaries"))
    assert any(r["database"] == "demo" and r["table"] == "events" for r in rows("mutations"))
    assert any(r["database"] == "demo" and r["table"] == "events" for r in rows("detached_parts"))
    assert any("chmonitor-demo" in str(r["name"]) for r in rows("backups"))
    failed = rows("queries_failed")
    assert any("no_such_column" in r["query"] for r in failed) and any("intDiv" in r["query"] for r in failed)
    assert any("uniqExact" in r["query"] for r in rows("queries_slow"))
    assert any(r["database"] == "demo" and r["table"] == "too_many_parts" and r["active_parts"] >= demo.PILED_PARTS
               for r in rows("parts_per_partition"))


def test_health_checks_are_ok_or_fire_for_a_named_demo_reason(settings: Settings, conn: Connection,
                                                              ran: demo.DemoStatus) -> None:
    firing = {}
    for panel in (p for p in PANELS.values() if p.check and p.name not in REPLICATION_CHECKS):
        frame = run_panel(conn, panel)
        if frame.empty or frame["value"].isna().all():
            continue
        check = panel.check
        status = check.status(float(frame["value"].iloc[0]), float(getattr(settings, check.warning)),
                              float(getattr(settings, check.critical)))
        if status != "ok":
            firing[panel.name] = (status, str(frame["detail"].iloc[0]))
    unexplained = {name: why for name, why in firing.items() if name not in demo.FIRING_REASONS}
    assert unexplained == {}, firing
    assert firing["health_parts_per_partition"][1].startswith(f"max {demo.PILED_PARTS} active parts in "
                                                              "demo.too_many_parts")
    assert "health_detached_parts" in firing


def test_it_refuses_a_configured_server(ch_http, http_conn: Connection) -> None:  # noqa: ANN001
    server = load_settings(clickhouse_host=ch_http.url, clickhouse_password="s3cret-pw")
    with pytest.raises(ConfigError, match="embedded engine"):
        demo.start(server, http_conn)
    with pytest.raises(ConfigError, match="embedded engine"):
        demo.remove(server, http_conn)
    with pytest.raises(ConfigError, match="CHM_DEMO"):
        load_settings(clickhouse_host=ch_http.url, chm_demo=True)
    assert http_conn.query_rows("SELECT count() FROM system.databases WHERE name = 'demo'")[0][0] == 0


def test_a_start_after_the_end_runs_again_without_harm(settings: Settings, conn: Connection,
                                                        ran: demo.DemoStatus) -> None:
    before = demo.status_row(conn)["tables"]
    assert demo.start(settings, conn, seconds=1.0) is True
    wait_until(lambda: not demo.status().running)
    assert demo.status().error == ""
    assert demo.status_row(conn)["tables"] == before


def test_removal_drops_the_demo_database(settings: Settings, conn: Connection, ran: demo.DemoStatus) -> None:
    demo.remove(settings, conn)
    assert demo.status_row(conn) == {"databases": 0, "tables": 0, "parts": 0, "piled_parts": 0}
    demo.remove(settings, conn)  # removing twice does no harm
    assert not demo.status().running


def test_home_offers_the_demo_on_the_embedded_engine(conn: Connection) -> None:
    st.cache_resource.clear()
    at = apptest.app(timeout=120).run()
    assert not at.exception, at.exception
    buttons = {b.key: b for b in at.button if b.key and b.key.startswith("demo_")}
    assert set(buttons) == {"demo_start", "demo_remove"}
    assert not buttons["demo_start"].disabled
    assert buttons["demo_remove"].disabled == (demo.status_row(conn)["databases"] == 0)


def test_home_offers_no_demo_on_a_server(monkeypatch: pytest.MonkeyPatch, ch_http) -> None:  # noqa: ANN001
    monkeypatch.setenv("CLICKHOUSE_HOST", ch_http.url)
    monkeypatch.setenv("CLICKHOUSE_PASSWORD", "s3cret-pw")
    st.cache_resource.clear()
    at = apptest.app(timeout=120).run()
    assert not at.exception, at.exception
    assert any(m.label == "Version" for m in at.metric)
    assert [b for b in at.button if b.key and b.key.startswith("demo_")] == []
    st.cache_resource.clear()
