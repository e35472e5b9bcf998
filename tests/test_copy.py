"""`python -m chstore copy`: every conversation of every user moves between stores, ids kept, idempotently."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from chstore import Message
from chstore.__main__ import copy_conversations
from chstore.clickhouse import ClickHouseStore
from chstore.model import ConversationStore
from core.connection import Connection
from tests.agentstate_server import agentstate_store
from tests.d1_server import ACCOUNT, TOKEN, d1_server, d1_store
from tests.pg import postgres_store, postgres_url

ROOT = Path(__file__).resolve().parent.parent


def seed(store: ConversationStore, users: list[str]) -> None:
    """Two users, a few threads each, with tools, metadata, odd content and an explicit title."""
    for n, user in enumerate(users):
        for i in range(3):
            tid = store.create_thread(user, title="Disk check" if i == 0 else None, metadata={"n": i})
            store.append(user, tid, [
                Message(role="user", content=f"{user} question {i} \x00 😀",
                        created_at=datetime(2026, 1, 1 + n, 12, i, tzinfo=UTC)),
                Message(role="tool", content='{"rows": 3}', name="running_queries", metadata={"sql": "SELECT 1"}),
                Message(role="assistant", content=f"answer {i}", name="builtin", metadata={"tokens": {"out": 3}}),
            ])


def seeded_clickhouse(conn: Connection, table_name: str) -> ClickHouseStore:
    """A ClickHouse store seeded for two fresh users."""
    source = ClickHouseStore(conn, table_name, auto_create=True)
    seed(source, [f"copy-{uuid.uuid4().hex[:6]}" for _ in range(2)])
    return source


def snapshot(store: ConversationStore) -> dict:
    """Every thread of every user, comparable across stores."""
    out = {}
    for user in store.list_users():
        for summary in store.list_threads(user, limit=1000):
            thread = store.get_thread(user, summary.id)
            assert thread is not None
            out[(user, thread.id)] = (thread.title, thread.metadata, [m.to_dict() for m in thread.messages],
                                      summary.message_count)
    return out


def copy_twice(source: ConversationStore, target: ConversationStore, expected: dict) -> None:
    """Copy, then copy again: everything arrives once and the second copy writes nothing."""
    assert copy_conversations(source, target, io.StringIO()) == {"threads": 6, "messages": 18, "skipped": 0}
    assert copy_conversations(source, target, io.StringIO()) == {"threads": 6, "messages": 0, "skipped": 0}
    assert snapshot(target) == expected


def test_copy_clickhouse_to_postgres_to_d1_twice(request: pytest.FixtureRequest, conn, table_name: str) -> None:
    source = seeded_clickhouse(conn, table_name)
    pg = postgres_store(request)
    d1 = d1_store(request)
    try:
        expected = snapshot(source)
        assert len(expected) == 6
        out = io.StringIO()
        assert copy_conversations(source, pg, out) == {"threads": 6, "messages": 18, "skipped": 0}
        assert snapshot(pg) == expected
        assert "[" + "#" * 30 + "] 6/6 threads" in out.getvalue()
        again = copy_conversations(source, pg, io.StringIO())
        assert again == {"threads": 6, "messages": 0, "skipped": 0}
        assert snapshot(pg) == expected
        copy_twice(pg, d1, expected)
    finally:
        pg.close()


def test_copy_clickhouse_to_agentstate_and_back_twice(request: pytest.FixtureRequest, conn, table_name: str) -> None:
    source = seeded_clickhouse(conn, table_name)
    hosted = agentstate_store(request)
    expected = snapshot(source)
    copy_twice(source, hosted, expected)
    copy_twice(hosted, ClickHouseStore(conn, f"{table_name}_back", auto_create=True), expected)


def test_copy_skips_threads_deleted_in_the_target(request: pytest.FixtureRequest) -> None:
    source, target = d1_store(request), postgres_store(request)
    try:
        tid = source.create_thread("alice")
        source.append("alice", tid, [Message(role="user", content="q")])
        keep = source.create_thread("alice")
        source.append("alice", keep, [Message(role="user", content="kept")])
        target.create_thread("alice", thread_id=tid)
        target.delete_thread("alice", tid)
        assert copy_conversations(source, target, io.StringIO()) == {"threads": 1, "messages": 1, "skipped": 1}
        assert target.get_thread("alice", tid) is None
        assert [s.id for s in target.list_threads("alice")] == [keep]
    finally:
        target.close()


def test_cli_copy_d1_to_postgres(request: pytest.FixtureRequest) -> None:
    source = d1_store(request)
    seed(source, ["cli-a", "cli-b"])
    prefix = f"c{uuid.uuid4().hex[:8]}_"
    env = {
        **os.environ, "CONVERSATIONS_D1_DATABASE_ID": source.client.url.split("/database/")[1].split("/")[0],
        "CLOUDFLARE_ACCOUNT_ID": ACCOUNT, "CLOUDFLARE_API_TOKEN": TOKEN, "CLOUDFLARE_API_BASE": d1_server(request).base,
        "DATABASE_URL": postgres_url(request), "POSTGRES_CONVERSATIONS_TABLE_PREFIX": prefix,
    }
    command = [sys.executable, "-m", "chstore", "copy", "--from", "d1", "--to", "postgres"]
    first = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    assert "6/6 threads" in first.stderr and "copied 6 conversations (18 new messages)" in first.stderr
    second = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert second.returncode == 0 and "(0 new messages)" in second.stderr
    target = postgres_store(request, prefix=prefix)
    try:
        assert snapshot(target) == snapshot(source)
    finally:
        target.close()
    same = subprocess.run([*command[:-1], "d1"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert same.returncode == 2 and "same store" in same.stderr
