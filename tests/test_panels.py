"""Every dashboard SQL file runs on the embedded engine after real activity; the registries stay honest."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from core import sqlfiles
from core.connection import Connection
from core.errors import QueryError
from dashboard.catalog import ACTIONS, PAGES, PANELS
from dashboard.panels import CLUSTER_PARAM, WINDOW_PARAMS, run_panel, sql_params

DASHBOARD_SQL = [name for name in sqlfiles.all_names() if name.startswith("dashboard/")]
# A cluster fan-out may only fail because the embedded engine has no cluster at all.
CLUSTER_ERRORS = frozenset({"CLUSTER_DOESNT_EXIST"})
DB = "chm_dash"


def _users(sql_name: str) -> list:
    return [p for p in PANELS.values() if sql_name in p.sql_files] + [a for a in ACTIONS.values() if a.sql == sql_name]


@pytest.fixture(scope="module")
def activity(conn: Connection) -> datetime:
    """Real load in a dedicated database: selects, a failure, inserts, merges, a mutation, async inserts, flushed logs."""
    started = datetime.now(UTC).replace(tzinfo=None) - timedelta(seconds=5)
    conn.command(f"DROP DATABASE IF EXISTS {DB}")
    conn.command(f"CREATE DATABASE {DB}")
    conn.command(f"CREATE TABLE {DB}.events (day Date, id UInt64, name String, INDEX name_idx name TYPE bloom_filter "
                 f"GRANULARITY 1) ENGINE = MergeTree PARTITION BY day ORDER BY id")
    for batch in range(4):
        conn.insert(f"{DB}.events", [[datetime(2026, 1, 1 + batch % 2).date(), batch * 100 + i, f"n{i}"]
                                     for i in range(100)], ["day", "id", "name"])
    conn.insert(f"{DB}.events", [[datetime(2026, 1, 3).date(), 9000 + i, "async"] for i in range(10)],
                ["day", "id", "name"], settings={"async_insert": 1, "wait_for_async_insert": 1})
    conn.command(f"OPTIMIZE TABLE {DB}.events FINAL")
    conn.command(f"ALTER TABLE {DB}.events DELETE WHERE id % 7 = 0", settings={"mutations_sync": 1})
    conn.query_df(f"SELECT name, count() FROM {DB}.events GROUP BY name")
    with pytest.raises(QueryError):
        conn.query_df(f"SELECT no_such_column FROM {DB}.events")
    time.sleep(1.1)  # metric_log collects once a second
    conn.command("SYSTEM FLUSH LOGS")
    return started


@pytest.mark.parametrize("sql_name", DASHBOARD_SQL)
def test_sql_runs_with_defaults(conn: Connection, activity: datetime, sql_name: str) -> None:
    users = _users(sql_name)
    assert users, f"{sql_name} is used by no panel or action"
    user = users[0]
    if user in ACTIONS.values():
        values = {p.name: "chm-test-none" for p in user.params}
        conn.command(sqlfiles.load(sql_name), sql_params(sql_name, user, values))
        return
    end = datetime.now(UTC).replace(tzinfo=None) + timedelta(seconds=1)
    cluster = "default" if sql_name == user.cluster_sql else None
    allowed = user.acceptable_errors | (CLUSTER_ERRORS if cluster else frozenset())
    try:
        if sql_name in user.sql_files[1:] and sql_name != user.cluster_sql:  # an older server's variant runs here too
            params = sql_params(sql_name, user, start=activity - timedelta(hours=1), end=end, hide_own=False)
            frame = conn.query_df(sqlfiles.load(sql_name), params, readonly=True)
        else:
            frame = run_panel(conn, user, start=activity - timedelta(hours=1), end=end, hide_own=False,
                              cluster=cluster)
    except QueryError as exc:
        assert exc.name in allowed, f"{sql_name} failed with {exc.name}: {exc}"
        return
    if frame.empty:
        return  # an empty answer is a state (the driver then reports no columns)
    for column in (user.x, *user.y, user.color):
        if column and user.kind != "kpi":
            assert column in frame.columns, f"{user.name}: no column {column}"


def test_activity_is_visible(conn: Connection, activity: datetime) -> None:
    end = datetime.now(UTC).replace(tzinfo=None) + timedelta(seconds=1)
    window = {"start": activity - timedelta(minutes=5), "end": end, "hide_own": False}
    history = run_panel(conn, PANELS["queries_history"], {"text": "no_such_column", "limit": 10}, **window)
    assert set(history["status"]) == {"ExceptionBeforeStart"}
    parts = run_panel(conn, PANELS["merges_performance"], **window)
    assert DB in set(parts["database"])
    mutations = run_panel(conn, PANELS["mutations"])
    assert (mutations["database"] == DB).any()
    series = run_panel(conn, PANELS["overview_queries_per_second"], **window)
    assert len(series) >= 2 and series["t"].is_monotonic_increasing
    table = run_panel(conn, PANELS["table_partitions"], {"database": DB, "table": "events"})
    assert len(table) == 3


def test_health_checks_return_a_value(conn: Connection, activity: datetime) -> None:
    checks = [p for p in PANELS.values() if p.check]
    assert len(checks) >= 20
    for panel in checks:
        frame = run_panel(conn, panel, hide_own=False)
        assert list(frame.columns)[:2] == ["value", "detail"], panel.name


def test_every_sql_file_is_used_by_a_panel() -> None:
    used = {name for panel in PANELS.values() for name in panel.sql_files} | {a.sql for a in ACTIONS.values()}
    files = [n for n in sqlfiles.all_names() if n.startswith(("dashboard/", "home/"))]
    assert sorted(set(files) - used) == []
    assert sorted(used - set(sqlfiles.all_names())) == []


def test_every_placeholder_is_declared_or_implicit() -> None:
    for item in [*PANELS.values(), *ACTIONS.values()]:
        files = item.sql_files if hasattr(item, "sql_files") else (item.sql,)
        for sql_name in files:
            text = sqlfiles.load(sql_name)
            assert text.startswith("-- "), f"{sql_name} must start with a comment saying what it answers"
            for name in sqlfiles.placeholders(text):
                implicit = name in WINDOW_PARAMS or (name == CLUSTER_PARAM and sql_name == getattr(item, "cluster_sql", None))
                assert implicit or item.param(name) is not None, f"{sql_name}: {{{name}}} not declared by {item.name}"


def test_sql_hygiene() -> None:
    for name in DASHBOARD_SQL:
        text = sqlfiles.load(name)
        if "system.one" not in text:
            assert "LIMIT" in text, f"{name}: no row cap"
        assert "FROM system.query_log" not in text and "FROM system.part_log" not in text, f"{name}: use merge()"
        if "toStartOfInterval" in text:
            assert "WITH FILL" in text, f"{name}: time series without WITH FILL"


def test_pages_draw_registered_panels_and_have_scripts() -> None:
    assert len(PAGES) >= 30
    for page in PAGES.values():
        assert page.panel_names, page.key
        with open(page.script, encoding="utf-8") as script:
            assert f'render_page("{page.key}")' in script.read()


# Panels that serve the app itself (the sidebar, the assistant's table lookup), not an operator's question.
HELPERS = frozenset({"frame_system_tables", "frame_clusters", "find_table", "home_kpis", "recent_queries"})
"""Panels the app uses for its own frame, Home and pickers, not for answering questions."""


def test_every_panel_and_check_is_findable() -> None:
    from dashboard import catalog

    for panel in PANELS.values():
        if panel.name in HELPERS:
            continue
        assert isinstance(panel.phrases, tuple) and panel.phrases, panel.name
        assert all(isinstance(p, str) and p.strip() for p in panel.phrases), panel.name
        assert panel.reads and all(t.isidentifier() for t in panel.reads), panel.name
        assert set(panel.fillable) <= {"database", "table", "user", "window", "limit"}
    for module in catalog._MODULES:
        names = {p.name for p in module.PANELS}
        assert set(module.ASK) <= names, module.__name__
        assert set(getattr(module, "READS", {})) <= names, module.__name__


def test_fillable_follows_the_sql() -> None:
    assert PANELS["queries_slow"].fillable == ("table", "user", "window", "limit")
    assert PANELS["disks"].fillable == ()
    assert PANELS["merges_running"].fillable == ("database", "table")


def test_one_figure_builder_draws_panels_alerts_and_history_charts() -> None:
    """Panels, the alerts chart and the history charts come from `dashboard.figures.series` (compact or full)."""
    from dashboard import figures

    frame = pd.DataFrame({"t": [1, 2, 1, 2], "host": ["a", "a", "b", "b"], "n": [1, 2, 3, 4], "m": [5, 6, 7, 8]})
    card = figures.series(frame, "t", ["n"], "area", color="host", colors={"b": "#123456"}, height=280)
    assert [(t.type, t.name, t.stackgroup) for t in card.data] == [("scatter", "a", "one"), ("scatter", "b", "one")]
    assert card.data[1].line.color == "#123456" and card.layout.height == 280 and card.layout.showlegend
    assert card.layout.xaxis.title.text is None  # a compact card names no axes
    full = figures.series(frame, "host", ["n", "m"], "bar", title="Per host", barmode="group", y_range=(0, 10))
    assert [t.name for t in full.data] == ["n", "m"] and full.layout.barmode == "group"
    assert (full.layout.title.text, full.layout.xaxis.title.text, full.layout.yaxis.title.text) == ("Per host", "host",
                                                                                                    "value")
    assert list(full.layout.yaxis.range) == [0, 10]
    one = figures.series(frame, "t", ["n"], "line")
    assert one.layout.yaxis.title.text == "n" and not one.layout.showlegend
