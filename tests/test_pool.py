"""The embedded engine's client pool: one session's slow query does not hold the others, user SQL never takes
the last client, and the pool never opens more clients than it may."""

from __future__ import annotations

import threading

from core.connection import Connection, EmbeddedPool


def test_a_slow_user_query_does_not_block_another_session(conn: Connection) -> None:
    started, finished = threading.Event(), threading.Event()

    def slow() -> None:
        started.set()
        conn.query_df("SELECT sleepEachRow(0.2) FROM numbers(25)", adhoc=True, settings={"max_block_size": 1})
        finished.set()

    worker = threading.Thread(target=slow)
    worker.start()
    started.wait()
    rows = conn.query_rows("SELECT count() FROM system.tables")
    assert rows[0][0] > 0
    assert not finished.is_set(), "the fast query had to wait for the slow one"
    worker.join()
    assert finished.is_set()


def test_user_queries_leave_one_client_for_the_dashboard(conn: Connection) -> None:
    pool = conn.client
    assert isinstance(pool, EmbeddedPool) and pool.size >= 2
    holders = [pool.borrow(adhoc=True) for _ in range(pool.size - 1)]
    for holder in holders:
        holder.__enter__()
    try:
        assert not pool._adhoc.acquire(blocking=False), "user SQL could take every client"
        assert conn.query_rows("SELECT 1")[0][0] == 1  # the dashboard still gets a client
    finally:
        for holder in holders:
            holder.__exit__(None, None, None)
    assert pool._open <= pool.size


def test_concurrent_callers_share_at_most_size_clients(conn: Connection) -> None:
    pool = conn.client
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(5):
                conn.query_rows("SELECT sum(number) FROM numbers(1000)")
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(pool.size * 3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert pool._open <= pool.size and len(pool._idle) == pool._open
