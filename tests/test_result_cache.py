"""Panel results are shared by every session for their TTL, keyed by all that changes them (counted in query_log)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from chstore.connection import Connection
from dashboard.catalog import PANELS
from dashboard.render import clear_results, prepare

APP = str(Path(__file__).resolve().parent.parent / "app.py")
# The overview's "At a glance" panel is the only query of that page reading both of these tables.
KPI_TABLES = ["system.processes", "system.disks"]


@pytest.fixture(autouse=True)
def fresh_results() -> None:
    st.cache_resource.clear()
    st.cache_data.clear()


def _session(window: tuple[datetime, datetime], *, hide_own: bool = True) -> AppTest:
    """A new browser session on the overview page with a custom (fixed) time range."""
    at = AppTest.from_file(APP, default_timeout=120)
    PagesManager.uses_pages_directory = False
    at.session_state["range"] = "custom"
    at.session_state["custom_range"] = window
    at.session_state["hide_own"] = hide_own
    at.switch_page("pages/overview.py")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert any(m.label == "version" for m in at.metric)
    return at


def _kpi_runs(conn: Connection, since: datetime) -> int:
    conn.command("SYSTEM FLUSH LOGS")
    rows = conn.query_rows(
        "SELECT count() FROM merge('system', '^query_log') WHERE type = 'QueryFinish' "
        "AND event_time_microseconds >= {since:DateTime64(6)} AND hasAll(tables, {tables:Array(String)})",
        {"since": since, "tables": KPI_TABLES},
    )
    return int(rows[0][0])


def test_sessions_share_a_panel_result_and_the_key_separates_what_differs(conn: Connection) -> None:
    since = datetime.now(UTC).replace(tzinfo=None)
    end = datetime.now(UTC).replace(microsecond=0)
    window = (end - timedelta(hours=1), end)

    _session(window)
    assert _kpi_runs(conn, since) == 1
    _session(window)  # another session, same question: served from the shared result
    assert _kpi_runs(conn, since) == 1

    _session(window, hide_own=False)  # the own-queries toggle changes the answer, so it is asked again
    assert _kpi_runs(conn, since) == 2
    _session((window[0] - timedelta(hours=1), end))  # so does another range
    assert _kpi_runs(conn, since) == 3

    clear_results()  # once the TTL has run out, the next view asks the server again
    _session(window)
    assert _kpi_runs(conn, since) == 4


def test_prepare_builds_what_each_kind_of_panel_draws() -> None:
    chart = prepare(PANELS["overview_memory"], pd.DataFrame({"t": [1, 2], "peak_bytes": [3, 4], "avg_bytes": [2, 3]}))
    assert chart.figure is not None and [t.name for t in chart.figure.data] == ["peak_bytes", "avg_bytes"]
    rows = pd.DataFrame({"database": ["db"], "table": ["t 1"], "bytes": [1]})
    table = prepare(PANELS["merges_performance"], rows)
    assert table.figure is None and table.table["table"].tolist() == ["/table-detail?database=db&table=t+1"]
    assert rows["table"].tolist() == ["t 1"], "the fetched rows stay as the server sent them"
    assert prepare(PANELS["merges_performance"], rows.iloc[:0]).table is None
