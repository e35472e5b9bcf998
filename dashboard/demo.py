"""The demo workload: a few minutes of real activity on the embedded engine, so a fresh dashboard has data to show.

It creates a `demo` database and, in a background thread, sends batched inserts (parts and merges), fast, slow and
failing queries, a mutation, a dictionary lookup, a backup, a detached partition and a table kept at too many parts;
a second thread keeps a long mutation running (a merge in progress, its ALTER a running query), and an empty
`demo_legacy` database with the deprecated Ordinary engine gives the server something to warn about. Then it stops
by itself. Its statements carry their own tag (`DEMO_TAG`), so hiding chmonitor's own queries keeps them visible. It
never runs against a configured server (`CLICKHOUSE_HOST`).

What it cannot make on the embedded engine (replicas, clusters, the query cache, async inserts…) is declared on the
panels themselves (`Panel.needs_server`).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import streamlit as st

from config import Settings
from core import sqlfiles
from core.connection import Connection
from core.errors import ChmError, ConfigError, QueryError
from dashboard import context
from dashboard.catalog import PANELS

log = logging.getLogger("chmonitor.demo")

DEMO_TAG = "chmonitor-demo"
"""`log_comment` of the demo's statements: not the app's own tag, so its queries count as the server's load."""
DEFAULT_SECONDS = 180.0
TICK_SECONDS = 1.0
EVENTS_PER_BATCH = 5000
PILED_PARTS = 1100
"""Active parts demo.too_many_parts is brought to (merges stopped): past its parts_to_delay_insert of 1000 and a
third of the default parts_to_throw_insert (3000), where the parts-per-partition check warns."""
PARTS_PER_INSERT = 400
SLOW_QUERY_ROWS = 10_000_000
ONE_ROW_BLOCKS = {"max_insert_block_size": 1, "min_insert_block_size_rows": 1, "min_insert_block_size_bytes": 1,
                  "max_block_size": 1}
SLEEP_PER_ROW = 0.0003
"""Seconds the long mutation sleeps per row: a block of 8,192 rows sleeps 2.5 s, under the engine's 3 s per block."""
SLOW_MUTATION_SECONDS = 20
"""How long one long mutation runs; the ALTER waiting on it stays well under max_execution_time."""
SLOW_ROWS = int(SLOW_MUTATION_SECONDS / SLEEP_PER_ROW)

FIRING_REASONS: dict[str, str] = {
    "health_parts_per_partition": f"demo.too_many_parts is held at {PILED_PARTS:,} parts in one partition with its "
    "merges stopped",
    "health_delayed_inserts": "inserts into demo.too_many_parts pass its parts_to_delay_insert (1000) and are delayed",
    "health_detached_parts": "the demo detached yesterday's partition of demo.events",
    "health_failed_queries": "the demo sends failing queries on purpose (unknown column, division by zero)",
    "health_error_spikes": "the demo's failing queries are errors the server counts",
    "health_uptime": "the embedded engine started with the app, minutes ago (the demo is meant for a fresh engine)",
}
"""Health checks the demo makes fire, and why; every other check stays ok (replication and Keeper aside)."""
REPLICATION_CHECKS = frozenset({"health_readonly_replicas", "health_replication_lag", "health_replication_queue_age",
                                "health_distribution_queue", "health_data_integrity", "health_unreachable_nodes"})
"""Checks about replicas, Keeper and clusters: the embedded engine has none, so they measure 0 whatever the demo does."""

SETUP = ("demo/create_database", "demo/create_events", "demo/create_colors", "demo/fill_colors",
         "demo/create_dictionary", "demo/create_many_parts", "demo/stop_merges", "demo/create_slow_table")


@dataclass
class DemoStatus:
    """What the demo is doing: running or not, since when, how many ticks it ran, the last unexpected error."""

    running: bool = False
    started_at: datetime | None = None
    finished_at: datetime | None = None
    ticks: int = 0
    error: str = ""


_lock = threading.Lock()
_thread: threading.Thread | None = None
_stop = threading.Event()
_status = DemoStatus()
_launched = threading.Event()


def _command(conn: Connection, name: str, params: dict[str, Any] | None = None,
             settings: dict[str, Any] | None = None) -> None:
    conn.command(sqlfiles.statement(name), params, settings={"log_comment": DEMO_TAG, **(settings or {})})


def _select(conn: Connection, name: str, params: dict[str, Any] | None = None) -> list[tuple]:
    return conn.query_rows(sqlfiles.statement(name), params, settings={"log_comment": DEMO_TAG})


def _expect_failure(conn: Connection, name: str) -> None:
    """Send a query meant to fail; its failure is the point (it lands in query_log, error_log and text_log)."""
    try:
        _select(conn, name)
    except ChmError as exc:
        log.debug("demo query %s failed as intended: %s", name, exc.name)
    else:
        raise RuntimeError(f"demo query {name} was meant to fail and did not")


def piled_parts(conn: Connection) -> int:
    """Active parts of demo.too_many_parts (0 when the demo database does not exist)."""
    return int(status_row(conn)["piled_parts"])


def status_row(conn: Connection) -> dict[str, int]:
    """Whether the demo database exists (`databases`), its tables, its active parts and the piled-up parts."""
    rows = conn.query_rows(sqlfiles.statement("demo/status"))
    return dict(zip(("databases", "tables", "parts", "piled_parts"), (int(v) for v in rows[0]), strict=True))


def _once(conn: Connection) -> None:
    """The first moments: the objects, then each kind of event once, so every page has it however short the run."""
    for name in SETUP:
        _command(conn, name)
    _command(conn, "demo/create_legacy_database", settings={"allow_deprecated_database_ordinary": 1})
    _command(conn, "demo/fill_slow_table", {"rows": SLOW_ROWS})
    _command(conn, "demo/insert_events", {"rows": EVENTS_PER_BATCH})
    while (piled := piled_parts(conn)) < PILED_PARTS:
        _command(conn, "demo/insert_parts", {"rows": min(PARTS_PER_INSERT, PILED_PARTS - piled), "offset": piled},
                 ONE_ROW_BLOCKS)
    _command(conn, "demo/mutation")
    try:
        _command(conn, "demo/backup")
    except QueryError as exc:
        if exc.name != "BACKUP_ALREADY_EXISTS":  # an earlier run in this process made it: nothing to add
            raise
    _command(conn, "demo/detach_partition", {"day": date.today() - timedelta(days=1)})


def _tick(conn: Connection, tick: int) -> None:
    """One second of workload; some statements run every tick, others every few ticks."""
    _command(conn, "demo/insert_events", {"rows": EVENTS_PER_BATCH})
    _select(conn, "demo/fast_query")
    if tick % 5 == 0:
        _select(conn, "demo/slow_query", {"rows": SLOW_QUERY_ROWS})
    if tick % 4 == 0:
        _expect_failure(conn, "demo/failing_query" if tick % 8 == 0 else "demo/failing_division")


def _failed(exc: Exception) -> None:
    """Record an unexpected error of either thread and end the workload (the page shows the error)."""
    log.warning("demo workload stopped: %s", exc)
    _status.error = _status.error or str(exc)
    _stop.set()


def _keep_a_mutation_running(conn: Connection, deadline: float) -> None:
    """One long mutation after another until the deadline: a merge in progress, and its ALTER a running query."""
    try:
        while time.monotonic() < deadline and not _stop.is_set():
            try:
                _command(conn, "demo/slow_mutation", {"pause": SLEEP_PER_ROW}, {"mutations_sync": 1})
            except QueryError:
                if not _stop.is_set():  # killed because the demo is stopping: its end, not an error
                    raise
    except Exception as exc:
        _failed(exc)


def _run(conn: Connection, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    slow: threading.Thread | None = None
    try:
        _once(conn)
        slow = threading.Thread(target=_keep_a_mutation_running, args=(conn, deadline), name="chmonitor-demo-mutation",
                                daemon=True)
        slow.start()
        tick = 0
        while time.monotonic() < deadline and not _stop.is_set():
            _tick(conn, tick)
            tick += 1
            _status.ticks = tick
            _stop.wait(TICK_SECONDS)
    except Exception as exc:  # the workload ends on an unexpected error
        _failed(exc)
        _kill_the_long_mutation(conn)
    finally:
        if slow is not None:
            slow.join()
        _status.running = False
        _status.finished_at = datetime.now(UTC)


def _kill_the_long_mutation(conn: Connection) -> None:
    try:
        _command(conn, "demo/kill_slow_mutation")
    except ChmError as exc:  # nothing to kill (the demo database is gone): the thread ends by itself
        log.debug("demo: no long mutation to kill: %s", exc.name)


def refuse_unless_embedded(settings: Settings, conn: Connection) -> None:
    """Raise ConfigError unless both the settings and the connection are the app's own embedded engine."""
    if not settings.clickhouse.embedded or not conn.embedded:
        raise ConfigError("the demo workload runs only on the embedded engine, never on a server (CLICKHOUSE_HOST)")


def start(settings: Settings, conn: Connection, seconds: float = DEFAULT_SECONDS) -> bool:
    """Start the workload for `seconds` in a background thread; False (and nothing done) when it already runs."""
    global _thread, _status
    refuse_unless_embedded(settings, conn)
    with _lock:
        if _status.running:
            return False
        _stop.clear()
        _status = DemoStatus(running=True, started_at=datetime.now(UTC))
        _thread = threading.Thread(target=_run, args=(conn, seconds), name="chmonitor-demo", daemon=True)
        _thread.start()
    return True


def status() -> DemoStatus:
    """The demo's current status (a copy)."""
    return DemoStatus(**vars(_status))


def stop(conn: Connection, timeout: float = 30.0) -> bool:
    """Ask a running workload to stop (its long mutation killed) and wait for it; True when none runs afterwards."""
    _stop.set()
    thread = _thread
    if thread is not None and thread.is_alive():
        _kill_the_long_mutation(conn)
        thread.join(timeout)
    return not _status.running


def remove(settings: Settings, conn: Connection) -> None:
    """Stop the workload if it runs and drop the demo database with everything in it."""
    refuse_unless_embedded(settings, conn)
    if not stop(conn):
        raise ConfigError("the demo workload did not stop; try again in a few seconds")
    _command(conn, "demo/drop_database")
    _command(conn, "demo/drop_legacy_database")


def start_at_launch(settings: Settings) -> bool:
    """`CHM_DEMO=true`: start the workload once per process, at the first page view; True when this call started it."""
    if not settings.app.demo or _launched.is_set():
        return False
    with _lock:
        if _launched.is_set():
            return False
        _launched.set()
    try:
        return start(settings, context.get_connection(0))
    except ChmError as exc:  # the pages say what is wrong with the engine; the demo only logs it
        log.warning("CHM_DEMO: the demo workload did not start: %s", exc)
        return False


def render_offer(settings: Settings) -> None:
    """Home's demo box (embedded engine only): start the workload, see how it runs, remove the demo database."""
    if not settings.clickhouse.embedded:
        return
    current = status()
    try:
        conn = context.get_connection(0)
        exists = status_row(conn)["databases"] > 0
    except ChmError as exc:
        st.warning(f"Demo workload: cannot read its state ({exc})")
        return
    with st.container(border=True):
        st.markdown("**Demo workload**: a few minutes of inserts, merges, fast, slow and failing queries, mutations, a "
                    "dictionary, a backup, a detached partition and a table with too many parts in a `demo` database "
                    "(and an Ordinary `demo_legacy` database the server warns about), so every page that can have "
                    "rows on this engine has some. It stops by itself.")
        left, right = st.columns(2)
        try:
            if left.button("Start the demo workload", key="demo_start", disabled=current.running):
                start(settings, conn)
                current = status()
            if right.button("Remove the demo database", key="demo_remove",
                            disabled=not exists and not current.running):
                remove(settings, conn)
                current, exists = status(), False
        except ChmError as exc:
            st.error(f"Demo workload: {exc}")
        reasons = "Health checks it makes fire on purpose: " + "; ".join(
            f"{PANELS[name].title} ({why})" for name, why in FIRING_REASONS.items())
        if current.running:
            st.caption(f"Running since {current.started_at:%H:%M:%S} UTC ({current.ticks} s of workload so far). "
                       + reasons)
        elif current.error:
            st.caption(f"The last run stopped early: {current.error}")
        elif exists:
            st.caption("The demo ran; its `demo` database is still there. " + reasons)
