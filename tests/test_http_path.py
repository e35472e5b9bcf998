"""The CLICKHOUSE_HOST path: the same code over HTTP, several hosts, credentials, unreachable and hung servers."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from config import load_settings
from core import guard, sqlfiles
from core.connection import connect
from core.errors import QueryError, QueryTimeoutError, UnavailableError, UnreachableError
from tests.chserver import ServerProcess, free_port


def test_query_parameters_and_errors_over_http(http_conn) -> None:  # noqa: ANN001
    frame = http_conn.query_df("SELECT {a:UInt32} + 1 AS b, {s:String} AS s", {"a": 41, "s": "it's"})
    assert frame.to_dict("records") == [{"b": 42, "s": "it's"}]
    with pytest.raises(UnavailableError) as info:
        http_conn.query_df("SELECT * FROM system.zookeeper WHERE path = '/'")
    assert info.value.name == "UNKNOWN_TABLE" and info.value.code == 60


def test_every_shipped_statement_is_parsed_over_http(http_conn) -> None:  # noqa: ANN001
    # A statement too long for a URL goes as a multipart form (clickhouse-connect's choice): the guard's parse of the
    # longest shipped files takes that path, and every file is checked on the server, not from the process's cache.
    assert http_conn.query_rows("SELECT length({s:String})", {"s": "x" * 60000}) == [(60000,)]
    for name in guard.shipped_names():
        if name not in guard.FRAGMENTS:
            guard.check(http_conn, sqlfiles.load(name), guard.TRUSTED)


def test_readonly_is_enforced_over_http(http_conn) -> None:  # noqa: ANN001
    from clickhouse_connect.driver.exceptions import DatabaseError

    from core.errors import ReadOnlyViolation

    with pytest.raises(ReadOnlyViolation):
        http_conn.query_df("CREATE TABLE default.should_not_exist (a UInt8) ENGINE = Memory", readonly=True)
    with pytest.raises(DatabaseError) as info:  # below the guard, the server refuses too
        http_conn.client.query("CREATE TABLE default.should_not_exist (a UInt8) ENGINE = Memory",
                               settings=http_conn.query_settings(readonly=True))
    assert info.value.name == "READONLY"
    assert http_conn.query_rows("SELECT count() FROM system.tables WHERE name = 'should_not_exist'")[0][0] == 0


def test_two_hosts_with_per_host_passwords(tmp_path: Path, ch_http) -> None:  # noqa: ANN001
    second = ServerProcess(tmp_path / "second", password="other-pw").start()
    try:
        settings = load_settings(
            clickhouse_host=f"{ch_http.url},{second.url}", clickhouse_password="s3cret-pw,other-pw",
            clickhouse_name="alpha,beta",
        )
        first_conn, second_conn = connect(settings, 0), connect(settings, 1)
        assert (first_conn.label, second_conn.label) == ("alpha", "beta")
        second_conn.command("CREATE TABLE IF NOT EXISTS default.only_on_beta (a UInt8) ENGINE = Memory")
        assert second_conn.query_rows("SELECT count() FROM system.tables WHERE name = 'only_on_beta'")[0][0] == 1
        assert first_conn.query_rows("SELECT count() FROM system.tables WHERE name = 'only_on_beta'")[0][0] == 0
        with pytest.raises(UnreachableError, match="no host number 2"):
            connect(settings, 2)
    finally:
        second.stop()


def test_wrong_password_names_the_variables_and_hides_the_secret(ch_http) -> None:  # noqa: ANN001
    with pytest.raises(QueryError) as info:
        connect(load_settings(clickhouse_host=ch_http.url, clickhouse_password="not-the-password"))
    assert info.value.name == "AUTHENTICATION_FAILED"
    assert "CLICKHOUSE_PASSWORD" in str(info.value) and "not-the-password" not in str(info.value)


def test_closed_port_is_unreachable_quickly() -> None:
    started = time.monotonic()
    with pytest.raises(UnreachableError) as info:
        connect(load_settings(clickhouse_host=f"http://127.0.0.1:{free_port()}"))
    assert "unreachable" in str(info.value)
    assert time.monotonic() - started < 30


def test_hung_server_times_out(tmp_path: Path) -> None:
    stalled = ServerProcess(tmp_path / "stall", stall=True).start()
    try:
        started = time.monotonic()
        with pytest.raises((UnreachableError, QueryTimeoutError)):
            connect(load_settings(clickhouse_host=stalled.url, clickhouse_max_execution_time=1))
        assert time.monotonic() - started < 60
    finally:
        stalled.stop()


def test_recovers_when_the_server_comes_back(tmp_path: Path) -> None:
    from core.connection import down_for

    server = ServerProcess(tmp_path / "flaky")
    settings = load_settings(clickhouse_host=server.url, chm_retry_after=5)
    with pytest.raises(UnreachableError):
        connect(settings)
    with pytest.raises(UnreachableError, match="retrying in"):  # inside the fail-fast window: no new attempt
        connect(settings)
    server.start()
    try:
        wait_until(lambda: down_for(server.url) == 0)
        conn = connect(settings)
        assert conn.query_rows("SELECT 1")[0][0] == 1
        server.stop()
        with pytest.raises(UnreachableError):
            conn.query_rows("SELECT 1")
        started = time.monotonic()
        with pytest.raises(UnreachableError, match="retrying in"):
            conn.query_rows("SELECT 1")
        assert time.monotonic() - started < 0.5, "a host just found down fails fast"
        server.start()
        wait_until(lambda: down_for(server.url) == 0)
        assert conn.query_rows("SELECT 2")[0][0] == 2
    finally:
        server.stop()


def wait_until(condition, timeout: float = 30.0) -> None:  # noqa: ANN001
    """Poll `condition` until it holds (state, not a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


def test_refused_write_does_not_leave_the_embedded_session_readonly(conn) -> None:  # noqa: ANN001
    from core.errors import ReadOnlyViolation

    with pytest.raises(ReadOnlyViolation):
        conn.query_df("CREATE TABLE chm_test.never (a UInt8) ENGINE = Memory", readonly=True)
    conn.command("CREATE TABLE IF NOT EXISTS chm_test.after_refusal (a UInt8) ENGINE = Memory")
    conn.insert("chm_test.after_refusal", [[1]], ["a"])
    assert conn.query_rows("SELECT count() FROM chm_test.after_refusal")[0][0] >= 1


@pytest.mark.parametrize("level", [1, 2])
def test_a_read_only_profile_over_http_gets_only_what_it_accepts(tmp_path: Path, level: int) -> None:
    from dashboard.catalog import PANELS
    from dashboard.panels import run_panel

    server = ServerProcess(tmp_path / "engine", readonly=level).start()
    try:
        conn = connect(load_settings(clickhouse_host=server.url))
        assert conn.server.readonly == level
        assert "readonly" not in conn.query_settings(readonly=True)
        assert bool(conn.query_settings(readonly=True)) == (level == 2)
        for name in ("server_info", "databases", "disks"):
            assert not run_panel(conn, PANELS[name], {}).empty, name
        with pytest.raises(QueryError) as refused:
            conn.command("CREATE DATABASE never_here")
        assert refused.value.name == "READONLY"
    finally:
        server.stop()
