"""Panel results are shared by every session for their TTL, keyed by all that changes them (counted in query_log)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from core.connection import Connection
from dashboard.catalog import PANELS
from dashboard.render import call_cached, clear_results, prepare
from tests import apptest

# Two overview panels, told apart in query_log by a word only their SQL has: the KPIs read the own-queries toggle but
# not the window; the CPU chart reads the window but not the toggle.
MARKS = {"kpis": "failed_today", "cpu": "ProfileEvent_OSCPUVirtualTimeMicroseconds"}


@pytest.fixture(autouse=True)
def fresh_results() -> None:
    st.cache_resource.clear()
    st.cache_data.clear()


def _session(window: tuple[datetime, datetime], *, hide_own: bool = True) -> AppTest:
    """A new browser session on the overview page with a custom (fixed) time range."""
    at = apptest.app(timeout=120)
    at.session_state["range"] = "custom"
    at.session_state["custom_range"] = window
    at.session_state["hide_own"] = hide_own
    apptest.open_page(at, "pages/overview.py")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert any(m.label == "Version" for m in at.metric)
    return at


def _runs(conn: Connection, since: datetime) -> dict[str, int]:
    """How many times each marked panel's query ran since `since` (the app's own queries, from query_log)."""
    conn.command("SYSTEM FLUSH LOGS")
    counted = {}
    for panel, mark in MARKS.items():
        rows = conn.query_rows(
            "SELECT count() FROM merge('system', '^query_log') WHERE type = 'QueryFinish' AND log_comment = 'chmonitor' "
            "AND event_time_microseconds >= {since:DateTime64(6)} AND position(query, {mark:String}) > 0",
            {"since": since, "mark": mark}, settings={"log_comment": "chm-test-counter"},
        )
        counted[panel] = int(rows[0][0])
    return counted


def test_sessions_share_a_panel_result_keyed_by_what_its_sql_reads(conn: Connection) -> None:
    since = datetime.now(UTC).replace(tzinfo=None)
    end = datetime.now(UTC).replace(microsecond=0)
    window = (end - timedelta(hours=1), end)

    _session(window)
    assert _runs(conn, since) == {"kpis": 1, "cpu": 1}
    _session(window)  # another session, same question: both served from the shared results
    assert _runs(conn, since) == {"kpis": 1, "cpu": 1}

    _session(window, hide_own=False)  # the toggle changes the KPIs' answer only
    assert _runs(conn, since) == {"kpis": 2, "cpu": 1}
    _session((window[0] - timedelta(hours=1), end))  # another range changes the chart's answer only
    assert _runs(conn, since) == {"kpis": 2, "cpu": 2}

    clear_results()  # once the TTL has run out, the next view asks the server again
    _session(window)
    assert _runs(conn, since) == {"kpis": 3, "cpu": 3}


def test_prepare_builds_what_each_kind_of_panel_draws() -> None:
    chart = prepare(PANELS["overview_memory"], pd.DataFrame({"t": [1, 2], "peak_bytes": [3, 4], "avg_bytes": [2, 3]}))
    assert chart.figure is not None and [t.name for t in chart.figure.data] == ["peak_bytes", "avg_bytes"]
    rows = pd.DataFrame({"database": ["db"], "table": ["t 1"], "bytes": [1]})
    table = prepare(PANELS["merges_performance"], rows)
    assert table.figure is None and table.table["table"].tolist() == ["/table-detail?database=db&table=t+1"]
    assert rows["table"].tolist() == ["t 1"], "the fetched rows stay as the server sent them"
    assert prepare(PANELS["merges_performance"], rows.iloc[:0]).table is None


def test_implicit_parameters_are_read_from_the_sql() -> None:
    assert PANELS["overview_cpu_cores"].implicit == {"start", "end", "step"}
    assert PANELS["overview_kpis"].implicit == {"hide_own", "tag"}
    assert PANELS["databases"].implicit == frozenset()


def test_an_entry_expiring_while_it_is_read_is_fetched_again() -> None:
    """Streamlit's cache_resource tests an entry, then reads it; an entry whose TTL ends in between raises KeyError on
    the read, and the call is made again (the race itself needs Streamlit's private cache clock to stage)."""
    calls: list[str] = []

    def cached(question: str) -> str:
        calls.append(question)
        if len(calls) == 1:
            raise KeyError(question)
        return f"{question}!"

    assert call_cached(cached, "q") == "q!"
    assert calls == ["q", "q"]
    with pytest.raises(KeyError):
        call_cached(lambda question: {}[question], "q")  # a second miss is a real error, not swallowed
