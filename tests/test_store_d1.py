"""The D1 store over the HTTP query API, against a local server that speaks D1's documented endpoint over sqlite3."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
import uuid
from pathlib import Path

import pytest

from chstore import ConfigError, Message, StorageError, open_store
from chstore.d1 import D1Client, D1Store
from chstore.model import from_ms, to_ms, utcnow
from config import load_settings
from core import sqlfiles
from tests.d1_server import ACCOUNT, TOKEN, d1_client, d1_server, d1_store
from tests.races import append_racing_delete

ROOT = Path(__file__).resolve().parent.parent
SQL_DIR = Path(sqlfiles.SQL_DIR) / "d1"


@pytest.fixture
def store(request: pytest.FixtureRequest) -> D1Store:
    return d1_store(request)


def raw(request: pytest.FixtureRequest, body: dict, token: str = TOKEN, database: str = "raw") -> tuple[int, dict]:
    server = d1_server(request)
    req = urllib.request.Request(
        f"{server.base}/accounts/{ACCOUNT}/d1/database/{database}/query", data=json.dumps(body).encode(),
        method="POST", headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_stand_in_answers_with_the_documented_envelope(request: pytest.FixtureRequest) -> None:
    status, envelope = raw(request, {"sql": "SELECT ?1 AS a, ?2 AS b", "params": ["x", "2"]})
    assert status == 200
    assert envelope["success"] is True and envelope["errors"] == [] and envelope["messages"] == []
    (result,) = envelope["result"]
    assert result["success"] is True and result["results"] == [{"a": "x", "b": "2"}]
    assert {"changed_db", "changes", "duration", "last_row_id", "rows_read", "rows_written"} <= set(result["meta"])
    status, envelope = raw(request, {"sql": "SELECT 1"}, token="wrong")
    assert status == 403 and envelope["success"] is False and envelope["errors"][0]["code"] == 10000


def test_client_reports_d1_errors_and_unreachable_servers(request: pytest.FixtureRequest) -> None:
    client = d1_client(request)
    with pytest.raises(StorageError, match="no such table"):
        client.query("SELECT * FROM missing_table")
    server = d1_server(request)
    with pytest.raises(StorageError, match="Authentication error"):
        D1Client(ACCOUNT, "db", "bad-token", api_base=server.base).query("SELECT 1")
    with pytest.raises(StorageError, match="unreachable"):
        D1Client(ACCOUNT, "db", TOKEN, api_base="http://127.0.0.1:1/client/v4", timeout=2).query("SELECT 1")


def test_migrate_is_idempotent_and_creates_the_schema(request: pytest.FixtureRequest) -> None:
    database = str(uuid.uuid4())
    store = D1Store(d1_client(request, database))
    assert store.migrate() == store.migrate()
    conn, _ = d1_server(request).database(database)
    names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    assert {"agent_threads", "agent_messages", "agent_threads_user_updated_idx", "agent_messages_thread_seq_idx"} <= names
    ddl = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'agent_messages'").fetchone()[0]
    assert "UNIQUE (user_id, thread_id, checksum)" in ddl and "ON DELETE CASCADE" in ddl and "message_type" in ddl


def test_every_write_statement_is_scoped_by_user() -> None:
    for path in sorted(SQL_DIR.glob("*.sql")):
        text = path.read_text(encoding="utf-8")
        assert text.startswith("-- "), f"{path.name} must start with a comment saying what it answers"
        assert not re.search(r"%\(|\{[A-Za-z_]", text), f"{path.name}: only ?N parameters, fixed table names"
        if re.search(r"^\s*(UPDATE|DELETE)\b", text, flags=re.M):
            assert re.search(r"WHERE\s+user_id = \?1", text), f"{path.name} is not scoped by user"


def test_params_travel_as_strings_and_nul_is_never_stored(request: pytest.FixtureRequest, store: D1Store) -> None:
    tid = store.create_thread("alice")
    before = d1_server(request).requests
    assert store.append("alice", tid, [Message(role="user", content="a\x00b"), Message(role="assistant", content="c")]) == 2
    assert d1_server(request).requests - before == 2  # one INSERT … SELECT for the messages, one thread update
    conn, _ = d1_server(request).database(store.client.url.split("/database/")[1].split("/")[0])
    assert conn.execute("SELECT count(*) FROM agent_messages WHERE instr(content, char(0)) > 0").fetchone()[0] == 0
    assert store.get_thread("alice", tid).messages[0].content == "a\x00b"  # type: ignore[union-attr]


def test_milliseconds_round_trip_exactly() -> None:
    now = utcnow()
    assert from_ms(to_ms(now)) == now


def test_append_racing_a_delete_never_leaves_messages(request: pytest.FixtureRequest, store: D1Store) -> None:
    append_racing_delete(store, "alice", 30)
    conn, _ = d1_server(request).database(store.client.url.split("/database/")[1].split("/")[0])
    assert conn.execute("SELECT count(*) FROM agent_messages").fetchone()[0] == 0


def test_open_store_needs_the_cloudflare_settings(request: pytest.FixtureRequest) -> None:
    base = {"agent_conversation_persistence": True, "agent_conversation_store": "d1",
            "conversations_d1_database_id": str(uuid.uuid4())}
    with pytest.raises(ConfigError, match="CLOUDFLARE_ACCOUNT_ID, CLOUDFLARE_API_TOKEN"):
        open_store(load_settings(**base))
    server = d1_server(request)
    store = open_store(load_settings(**base, cloudflare_account_id=ACCOUNT, cloudflare_api_token=TOKEN,
                                     cloudflare_api_base=server.base))
    assert isinstance(store, D1Store)
    store.migrate()
    tid = store.create_thread("alice", title="via settings")
    assert store.list_threads("alice")[0].id == tid


def test_cli_d1_migrate(request: pytest.FixtureRequest) -> None:
    server = d1_server(request)
    database = str(uuid.uuid4())
    env = {**os.environ, "CONVERSATIONS_D1_DATABASE_ID": database, "CLOUDFLARE_ACCOUNT_ID": ACCOUNT,
           "CLOUDFLARE_API_TOKEN": TOKEN, "CLOUDFLARE_API_BASE": server.base}
    result = subprocess.run([sys.executable, "-m", "chstore", "d1", "migrate"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "applied sql/d1/create_messages.sql" in result.stdout
    conn, _ = server.database(database)
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'agent_threads'").fetchone()[0] == 1
    env.pop("CLOUDFLARE_API_TOKEN")
    result = subprocess.run([sys.executable, "-m", "chstore", "d1", "migrate"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "CLOUDFLARE_API_TOKEN" in result.stderr
