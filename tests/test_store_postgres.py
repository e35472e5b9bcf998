"""What the Postgres store must get right beyond the shared contract: schema, user scoping, NUL bytes, transactions."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chstore import Message, NotFoundError, StorageError, ValidationError, open_store
from chstore.model import escape_json, escape_text, unescape_json, unescape_text
from chstore.postgres import PostgresStore, table_names
from config import load_settings
from core import sqlfiles
from tests.pg import postgres_store, postgres_url
from tests.races import append_racing_delete

pytestmark = pytest.mark.postgres
SQL_DIR = Path(sqlfiles.SQL_DIR) / "postgres"


@pytest.fixture
def store(request: pytest.FixtureRequest) -> Iterator[PostgresStore]:
    instance = postgres_store(request)
    yield instance
    instance.close()


def fetch(store: PostgresStore, sql: str, *params: object) -> list[tuple]:
    from psycopg import sql as pgsql

    with store.pool.connection() as conn:
        ids = {k: pgsql.Identifier(v) for k, v in store.tables.items()}
        return conn.execute(pgsql.SQL(sql).format(**ids), params).fetchall()


def test_schema_has_the_seed_shape(store: PostgresStore) -> None:
    store.create_schema()
    store.create_schema()  # idempotent
    columns = {
        row[0] for row in fetch(store, "SELECT column_name FROM information_schema.columns WHERE table_name = %s",
                                store.tables["messages"])
    }
    assert {"thread_id", "user_id", "message_type", "role", "name", "content", "data", "checksum", "seq",
            "created_at"} <= columns
    constraints = fetch(
        store,
        "SELECT contype, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass",
        store.tables["messages"],
    )
    definitions = {kind: [] for kind, _ in constraints}
    for kind, definition in constraints:
        definitions[kind].append(definition)
    assert "UNIQUE (user_id, thread_id, checksum)" in definitions["u"]
    assert any("ON DELETE CASCADE" in d and "REFERENCES" in d for d in definitions["f"])
    assert any("message_type" in d and "'user'" in d and "'agent'" in d for d in definitions["c"])
    data_type = fetch(store, "SELECT data_type FROM information_schema.columns WHERE table_name = %s AND "
                             "column_name = 'data'", store.tables["messages"])
    assert data_type == [("jsonb",)]


def test_user_and_agent_messages_share_one_table(store: PostgresStore) -> None:
    tid = store.create_thread("alice")
    store.append("alice", tid, [Message(role="user", content="q"), Message(role="assistant", content="a", name="bot"),
                                Message(role="tool", content="{}", name="running_queries")])
    rows = fetch(store, "SELECT message_type, role, name FROM {messages} ORDER BY seq")
    assert rows == [("user", "user", ""), ("agent", "assistant", "bot"), ("agent", "tool", "running_queries")]


def test_every_write_statement_is_scoped_by_user() -> None:
    for path in sorted(SQL_DIR.glob("*.sql")):
        text = path.read_text(encoding="utf-8")
        assert text.startswith("-- "), f"{path.name} must start with a comment saying what it answers"
        assert "{" in text, f"{path.name}: table names come from the prefix"
        if re.search(r"^\s*(UPDATE|DELETE)\b", text, flags=re.M | re.I):
            assert re.search(r"WHERE\s+user_id = %\(user_id\)s", text), f"{path.name} is not scoped by user"
        if path.name.startswith("bench_"):
            continue  # benchmark fixtures fill many users' rows on purpose
        if re.search(r"^\s*(SELECT|UPDATE)\b", text, flags=re.M) and "list_users" not in path.name:
            assert "%(user_id)s" in text, f"{path.name} reads or writes without the user"


def test_same_thread_id_for_two_users_never_touches_the_other(store: PostgresStore) -> None:
    tid = str(uuid.uuid4())
    store.create_thread("alice", title="alice's", thread_id=tid)
    store.append("alice", tid, [Message(role="user", content="alice secret")])
    assert store.create_thread("bob", title="bob's", thread_id=tid) == tid
    store.append("bob", tid, [Message(role="user", content="bob words")])
    store.rename_thread("bob", tid, "renamed by bob")
    assert store.delete_thread("bob", tid) is True
    alice = store.get_thread("alice", tid)
    assert alice is not None and alice.title == "alice's"
    assert [m.content for m in alice.messages] == ["alice secret"]
    assert store.get_thread("bob", tid) is None
    assert store.delete_all("bob") == 0
    assert [s.id for s in store.list_threads("alice")] == [tid]


def test_nul_and_control_characters_are_escaped_losslessly(store: PostgresStore) -> None:
    content = "a\x00b\x01c\x01\x02d\\x00\x00"
    tid = store.create_thread("nul\x00user", title="t\x00")
    store.append("nul\x00user", tid, [Message(role="user", content=content, name="n\x00", metadata={"k\x00": ["\x00"]})])
    thread = store.get_thread("nul\x00user", tid)
    assert thread is not None and thread.title == "t\x00"
    assert thread.messages[0].content == content and thread.messages[0].name == "n\x00"
    assert thread.messages[0].metadata == {"k\x00": ["\x00"]}
    assert [s.id for s in store.search_threads("nul\x00user", "b\x01c")] == [tid]
    assert "\x00" not in fetch(store, "SELECT content FROM {messages}")[0][0]
    assert store.list_users() == ["nul\x00user"]


@given(st.text())
def test_escape_round_trips(text: str) -> None:
    assert unescape_text(escape_text(text)) == text
    assert "\x00" not in escape_text(text)
    assert unescape_json(escape_json({text: [text, {"x": text}]})) == {text: [text, {"x": text}]}


def test_an_append_is_one_transaction(store: PostgresStore) -> None:
    tid = store.create_thread("alice")
    good = Message(role="user", content="kept only if everything is")
    bad = Message(role="assistant", content="lone surrogate \ud800")
    with pytest.raises((StorageError, ValidationError)):
        store.append("alice", tid, [good, bad])
    thread = store.get_thread("alice", tid)
    assert thread is not None and thread.messages == []
    assert store.list_threads("alice")[0].message_count == 0


def test_deleted_thread_is_a_tombstone_and_cannot_come_back(store: PostgresStore) -> None:
    tid = store.create_thread("alice", title="secret title", metadata={"k": "v"})
    store.append("alice", tid, [Message(role="user", content="secret words")])
    assert store.delete_thread("alice", tid) is True
    assert fetch(store, "SELECT title, metadata, deleted_at IS NOT NULL FROM {threads}") == [("", {}, True)]
    assert fetch(store, "SELECT count(*) FROM {messages}") == [(0,)]
    with pytest.raises(ValidationError, match="deleted"):
        store.create_thread("alice", thread_id=tid)
    with pytest.raises(NotFoundError):
        store.append("alice", tid, [Message(role="user", content="again")])
    assert store.get_thread("alice", tid) is None


def test_purging_a_thread_row_cascades_to_its_messages(store: PostgresStore) -> None:
    tid = store.create_thread("alice")
    store.append("alice", tid, [Message(role="user", content="q"), Message(role="assistant", content="a")])
    with store.pool.connection() as conn:
        from psycopg import sql as pgsql

        conn.execute(pgsql.SQL("DELETE FROM {} WHERE user_id = %s").format(pgsql.Identifier(store.tables["threads"])),
                     ("alice",))
    assert fetch(store, "SELECT count(*) FROM {messages}") == [(0,)]


def test_append_racing_a_delete_never_leaves_messages(store: PostgresStore) -> None:
    for _ in range(5):
        append_racing_delete(store, "alice", 20)
    assert fetch(store, "SELECT count(*) FROM {messages}") == [(0,)]


def test_table_prefix_is_validated() -> None:
    assert table_names("chm_")["messages"] == "chm_messages"
    for bad in ("x; DROP TABLE y; --", "a-b", "\"quoted\"", "x" * 60):
        with pytest.raises(ValidationError):
            table_names(bad)


def test_open_store_resolves_to_postgres(request: pytest.FixtureRequest) -> None:
    prefix = f"o{uuid.uuid4().hex[:8]}_"
    settings = load_settings(
        agent_conversation_persistence=True, clickhouse_host="http://127.0.0.1:1",
        database_url=postgres_url(request), postgres_conversations_table_prefix=prefix,
    )
    store = open_store(settings)
    try:
        assert isinstance(store, PostgresStore) and store.tables["threads"] == f"{prefix}threads"
        tid = store.create_thread("alice")
        assert store.get_thread("alice", tid) is not None
    finally:
        store.close()


def test_unreachable_server_is_a_storage_error() -> None:
    store = PostgresStore("postgresql://nobody@127.0.0.1:1/none?connect_timeout=1", prefix="x_")
    store.pool.timeout = 2
    try:
        with pytest.raises(StorageError):
            store.list_threads("alice")
    finally:
        store.close()


def test_bench_compares_postgres_on_the_same_workload(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    import json
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    result = subprocess.run(
        [sys.executable, "bench/store_bench.py", "--threads", "200", "--users", "2", "--runs", "3", "--turns", "6",
         "--growth-samples", "1", "--data-dir", str(tmp_path / "engine"), "--store", "postgres"],
        cwd=root, capture_output=True, text=True, timeout=300,
        env={**os.environ, "DATABASE_URL": postgres_url(request)},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout)
    assert report["store"] == "clickhouse" and report["postgres"]["store"] == "postgres"
    assert report["postgres"]["server"] == "DATABASE_URL"
    for key in ("select1_ms", "get_ms", "list_ms", "append_ms", "delete_ms", "append_turn1_ms", "append_turn6_ms"):
        assert report[key] > 0 and report["postgres"][key] > 0, key
