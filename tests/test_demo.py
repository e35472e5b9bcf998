"""The demo workload on the real test engine: what it creates, what the panels and health checks see, its limits."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import streamlit as st

from config import Settings, load_settings
from core.connection import Connection
from core.errors import ChmError, ConfigError
from dashboard import demo
from dashboard.catalog import PAGES, PANELS
from dashboard.panels import run_panel
from tests import apptest

RUN_SECONDS = 20.0
WARM_TICKS = 8
"""Seconds of workload after which each kind of statement ran at least once (as the browser sweep waits for)."""


def wait_until(condition, timeout: float = 180.0, every: float = 0.2) -> None:  # noqa: ANN001
    """Poll `condition` until it holds; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "state not reached in time"
        time.sleep(every)


def rows(conn: Connection, name: str, **values: object) -> list[dict]:
    """A panel's rows as records, read as its page reads them."""
    return run_panel(conn, PANELS[name], values).to_dict("records")


def long_mutation_runs(conn: Connection) -> bool:
    """Whether the demo's long mutation is running right now (as a merge, with its ALTER waiting as a query)."""
    merging = any(r["table"] == "slow_mutation" and r["is_mutation"] for r in rows(conn, "merges_running"))
    return merging and any("demo.slow_mutation" in r["query"] for r in rows(conn, "queries_running"))


@pytest.fixture(scope="module")
def started(settings: Settings, conn: Connection) -> Iterator[None]:
    """A demo run of RUN_SECONDS on the test engine, from the moment it is warm and its long mutation runs."""
    assert demo.start(settings, conn, seconds=RUN_SECONDS) is True
    assert demo.start(settings, conn, seconds=RUN_SECONDS) is False, "a second start while running must be a no-op"
    wait_until(lambda: (demo.status().ticks >= WARM_TICKS and long_mutation_runs(conn)) or not demo.status().running)
    assert demo.status().running and demo.status().error == ""
    yield
    demo.remove(settings, conn)


@pytest.fixture(scope="module")
def ran(started: None, conn: Connection) -> demo.DemoStatus:
    """The same run, waited for to its end, logs flushed."""
    wait_until(lambda: not demo.status().running)
    conn.command("SYSTEM FLUSH LOGS")
    return demo.status()


def test_while_it_runs_every_panel_the_engine_can_fill_has_rows(conn: Connection, started: None) -> None:
    assert long_mutation_runs(conn), "running queries and running merges show the demo's long mutation"
    conn.command("SYSTEM FLUSH LOGS")
    query_id = rows(conn, "queries_slow")[0]["query_id"]
    values = {"query_detail": {"query_id": query_id}, "table_detail": {"database": "demo", "table": "events"}}
    empty, filled_by_a_server_feature = [], []
    for key, page in PAGES.items():
        for name in page.panel_names:
            try:
                shown = bool(rows(conn, name, **values.get(key, {})))
            except ChmError:
                shown = False
            if PANELS[name].needs_server and shown:
                filled_by_a_server_feature.append(name)
            elif not PANELS[name].needs_server and not shown:
                empty.append(name)
    assert empty == [], "every panel without `needs_server` shows rows while the demo runs"
    assert filled_by_a_server_feature == [], "a panel declared server-only has rows here: its declaration is wrong"


def test_it_stops_by_itself(ran: demo.DemoStatus) -> None:
    assert ran.error == ""
    assert not ran.running
    took = (ran.finished_at - ran.started_at).total_seconds()
    assert RUN_SECONDS <= took < RUN_SECONDS + 120


def test_it_creates_the_demo_objects(conn: Connection, ran: demo.DemoStatus) -> None:
    tables = {row[0]: row[1] for row in conn.query_rows(
        "SELECT name, engine FROM system.tables WHERE database = 'demo'")}
    assert tables == {"events": "MergeTree", "colors": "MergeTree", "too_many_parts": "MergeTree",
                      "color_names": "Dictionary", "slow_mutation": "MergeTree"}
    assert conn.query_rows("SELECT engine FROM system.databases WHERE name = 'demo_legacy'") == [("Ordinary",)]
    state = demo.status_row(conn)
    assert state["databases"] == 2 and state["piled_parts"] >= demo.PILED_PARTS
    events = conn.query_rows("SELECT count() FROM demo.events")[0][0]
    assert events >= demo.EVENTS_PER_BATCH


def test_panels_see_the_demo(conn: Connection, ran: demo.DemoStatus) -> None:
    assert any(r["database"] == "demo" and r["name"] == "color_names" and r["status"] == "LOADED"
               for r in rows(conn, "dictionaries"))
    mutated = {r["table"] for r in rows(conn, "mutations") if r["database"] == "demo"}
    assert {"events", "slow_mutation"} <= mutated
    assert any(r["database"] == "demo" and r["table"] == "events" for r in rows(conn, "detached_parts"))
    assert any("chmonitor-demo" in str(r["name"]) for r in rows(conn, "backups"))
    failed = rows(conn, "queries_failed")
    assert any("no_such_column" in r["query"] for r in failed) and any("intDiv" in r["query"] for r in failed)
    assert any("uniqExact" in r["query"] for r in rows(conn, "queries_slow"))
    assert any(r["database"] == "demo" and r["table"] == "too_many_parts" and r["active_parts"] >= demo.PILED_PARTS
               for r in rows(conn, "parts_per_partition"))
    assert any("`demo_legacy`" in r["message"] and "Ordinary engine" in r["message"] for r in rows(conn, "warnings"))
    assert rows(conn, "text_log"), "the engine's own log lines reach text_log"


def test_health_checks_are_ok_or_fire_for_a_named_demo_reason(settings: Settings, conn: Connection,
                                                              ran: demo.DemoStatus) -> None:
    firing = {}
    for panel in (p for p in PANELS.values() if p.check and p.name not in demo.REPLICATION_CHECKS):
        frame = run_panel(conn, panel)
        assert not frame.empty and not frame["value"].isna().all(), f"{panel.name} measured nothing"
        check = panel.check
        status = check.status(float(frame["value"].iloc[0]), *settings.health.levels(check))
        if status != "ok":
            firing[panel.name] = (status, str(frame["detail"].iloc[0]))
    unexplained = {name: why for name, why in firing.items() if name not in demo.FIRING_REASONS}
    assert unexplained == {}, firing
    assert firing["health_parts_per_partition"][1].startswith(f"max {demo.PILED_PARTS} active parts in "
                                                              "demo.too_many_parts")
    assert "health_detached_parts" in firing
    assert set(firing) <= set(demo.FIRING_REASONS) and all(demo.FIRING_REASONS[name] for name in firing)


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
    assert rows(conn, "mutations", database="demo") == []
    demo.remove(settings, conn)  # removing twice does no harm
    assert not demo.status().running


def test_removal_while_it_runs_ends_the_long_mutation_at_once(settings: Settings, conn: Connection) -> None:
    assert demo.start(settings, conn, seconds=120.0) is True
    wait_until(lambda: long_mutation_runs(conn) or not demo.status().running)
    began = time.monotonic()
    demo.remove(settings, conn)
    assert time.monotonic() - began < demo.SLOW_MUTATION_SECONDS, "the long mutation was killed, not waited for"
    assert not demo.status().running and demo.status().error == ""
    assert demo.status_row(conn)["databases"] == 0
    assert not any(r["table"] == "slow_mutation" for r in rows(conn, "merges_running"))


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
