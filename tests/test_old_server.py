"""A ClickHouse 24.8 server over HTTP (an older chdb's engine behind `tests/ch_http.py`): it lacks
`parseQueryToJSON`, so users' SQL is parsed by the app's own engine and the engine's formatting runs on the server."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from config import load_settings
from core import guard
from core.connection import Connection, connect
from core.errors import QueryError, ReadOnlyViolation
from tests.chserver import ServerProcess

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.compat


@pytest.fixture(scope="module")
def old_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Connection]:
    sys.path.insert(0, str(ROOT / "bench"))
    import compat

    python = compat._venv("24.8")
    server = ServerProcess(tmp_path_factory.mktemp("engine_24_8"), readonly=1, python=str(python)).start()
    try:
        yield connect(load_settings(clickhouse_host=server.url))
    finally:
        server.stop()


def test_the_server_is_24_8_and_cannot_parse_for_the_guard(old_server: Connection) -> None:
    assert old_server.server.version[:2] == (24, 8)
    with pytest.raises(QueryError) as missing:
        old_server.query_rows("SELECT parseQueryToJSON('SELECT 1')")
    assert missing.value.name == "UNKNOWN_FUNCTION"


def test_typed_sql_is_parsed_here_and_runs_there(old_server: Connection) -> None:
    checked = guard.check(old_server, "select name from `sys\\x74em`.databases where name = 'system'")
    assert " ".join(checked.statement.split()) == "SELECT name FROM system.databases WHERE name = 'system'"
    frame = old_server.query_df(checked.statement, readonly=True, adhoc=True)
    assert frame["name"].tolist() == ["system"]


@pytest.mark.parametrize(("sql", "reason"), [
    ("SELECT `fi\\x6ce`('/etc/passwd')", "reaches outside the query"),
    ("SELECT * FROM url('http://127.0.0.1:1/', CSV)", "table function url() is not allowed"),
    ("SELECT 1; DROP DATABASE system", "Syntax error"),
    ("INSERT INTO t VALUES (1)", "not INSERT"),
    ("SELECT 1 SETTINGS readonly = 0", "SETTINGS (readonly) are not allowed"),
    ("SELECT * FROM `mer\\x67e`('default', '^agent')", "may only read system tables"),
    ("SELECT * FROM nodb.t", "database `nodb` cannot be read"),
])
def test_hostile_sql_is_refused_with_the_reason(old_server: Connection, sql: str, reason: str) -> None:
    with pytest.raises((ReadOnlyViolation, QueryError)) as refused:
        guard.check(old_server, sql)
    assert reason in str(refused.value)


def test_the_server_still_holds_the_second_lock(old_server: Connection) -> None:
    with pytest.raises(QueryError) as refused:
        old_server.command("CREATE DATABASE never_here")
    assert refused.value.name == "READONLY"
