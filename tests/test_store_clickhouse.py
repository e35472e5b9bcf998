"""ClickHouse store specifics: engine and key, async inserts, tombstones, versions, DDL and the CLI."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import uuid
from datetime import datetime
from pathlib import Path

import pytest

from chstore import Message, NotFoundError, StorageError, ValidationError, open_store
from chstore import clickhouse as chmod
from chstore.clickhouse import DELETE_BAND, ClickHouseStore, render, schema_statements
from config import load_settings
from core import sqlfiles
from core.connection import Connection

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def store(conn: Connection, table_name: str) -> ClickHouseStore:
    return ClickHouseStore(conn, table_name, auto_create=True)


def show_create(conn: Connection, database: str, table: str) -> str:
    return conn.query_rows("SELECT create_table_query FROM system.tables WHERE database = {d:String} AND name = {t:String}",
                           {"d": database, "t": table})[0][0]


def test_engine_key_and_codecs(store: ClickHouseStore, conn: Connection) -> None:
    store.create_thread("alice")
    ddl = show_create(conn, store.database, store.table)
    assert "ReplacingMergeTree(version, is_deleted)" in ddl
    assert "PARTITION BY" not in ddl
    assert ddl.count("CODEC(ZSTD(3))") == 3  # title, content, metadata
    assert "ORDER BY (user_id, kind, thread_id, message_id)" in ddl
    sorting_key = conn.query_rows(
        "SELECT sorting_key FROM system.tables WHERE database = {d:String} AND name = {t:String}",
        {"d": store.database, "t": store.table},
    )[0][0]
    assert sorting_key.split(", ")[0] == "user_id"
    assert "version" not in sorting_key


def _inserts(conn: Connection, store: ClickHouseStore) -> list[tuple]:
    conn.command("SYSTEM FLUSH LOGS")
    return conn.query_rows(
        "SELECT Settings['async_insert'], Settings['wait_for_async_insert'], log_comment, written_rows "
        "FROM system.query_log WHERE query_kind = 'Insert' AND type = 'QueryFinish' AND has(tables, {t:String}) "
        "AND event_time > now() - 300 ORDER BY event_time_microseconds",
        {"t": f"{store.database}.{store.table}"},
    )


def test_inserts_are_async_and_tagged(http_conn: Connection, table_name: str) -> None:
    store = ClickHouseStore(http_conn, table_name.replace("chm_test.", "default."), auto_create=True)
    tid = store.create_thread("alice")
    store.append("alice", tid, [Message(role="user", content="query_log proof")])
    rows = _inserts(http_conn, store)
    assert len(rows) == 2, "one insert for the creation, one for the append"
    assert all(r[0] == "1" and r[1] == "1" and r[2] == "chmonitor" for r in rows)


def test_store_statements_stay_out_of_the_embedded_query_log(store: ClickHouseStore, conn: Connection) -> None:
    from history.queries import Filters, Scope, ThreadBrowser

    word = f"kumquat{uuid.uuid4().hex[:10]}"
    tid = store.create_thread(f"user-{word}", title=f"title {word}", metadata={"m": word})
    store.append(f"user-{word}", tid, [Message(role="user", content=f"what about {word}?")])
    assert [s.id for s in store.search_threads(f"user-{word}", word)] == [tid]
    assert store.get_thread(f"user-{word}", tid) is not None
    page = ThreadBrowser(store).page(Scope(f"user-{word}"), Filters(text=word))
    assert [row.thread_id for row in page.rows] == [tid]
    store.rename_thread(f"user-{word}", tid, f"renamed {word}")
    assert store.delete_thread(f"user-{word}", tid)
    conn.command("SYSTEM FLUSH LOGS")
    logged = conn.query_rows(
        "SELECT count() FROM merge('system', '^query_log') WHERE event_time > now() - 600 "
        "AND (position(query, {w:String}) > 0 OR has(mapValues(Settings), {w:String}))", {"w": word})
    assert logged == [(0,)]
    conn.query_rows("SELECT {w:String}", {"w": f"control {word}"})  # proof that the search sees logged values
    conn.command("SYSTEM FLUSH LOGS")
    assert conn.query_rows(
        "SELECT count() > 0 FROM merge('system', '^query_log') WHERE position(query, {w:String}) > 0 "
        "AND position(query, 'merge(') = 0", {"w": word}) == [(1,)]


def test_append_writes_only_new_rows(http_conn: Connection, table_name: str) -> None:
    conn = http_conn  # a server logs the store's inserts; the embedded engine keeps them out of query_log
    store = ClickHouseStore(conn, table_name.replace("chm_test.", "default."), auto_create=True)
    tid = store.create_thread("alice")
    for i in range(30):
        store.append("alice", tid, [Message(role="user", content=f"q{i}"), Message(role="assistant", content=f"a{i}")])
    raw = conn.query_rows(
        "SELECT count() FROM {d:Identifier}.{t:Identifier} WHERE kind = 'message' AND thread_id = {id:String}",
        {"d": store.database, "t": store.table, "id": tid},
    )[0][0]
    assert raw == 60  # one row per message, nothing rewritten (old thread rows may already be merged away)
    written = [r[3] for r in _inserts(conn, store)]
    assert written == [1] + [3] * 30  # the creation, then per turn one insert: two messages and one thread row
    assert store.append("alice", tid, [Message(role="user", content="q0", id=store.get_thread("alice", tid).messages[0].id)]) == 0
    assert len(_inserts(conn, store)) == 31  # a pure retry writes nothing


def test_delete_writes_tombstones_with_top_version(http_conn: Connection, table_name: str) -> None:
    conn = http_conn  # a server logs the store's inserts; the embedded engine keeps them out of query_log
    store = ClickHouseStore(conn, table_name.replace("chm_test.", "default."), auto_create=True)
    tid = store.create_thread("alice")
    store.append("alice", tid, [Message(role="user", content="bye")])
    assert store.delete_thread("alice", tid)
    rows = conn.query_rows(
        "SELECT is_deleted, version FROM {d:Identifier}.{t:Identifier} WHERE kind = 'thread' AND thread_id = {id:String} "
        "ORDER BY version",
        {"d": store.database, "t": store.table, "id": tid},
    )
    assert rows[-1][0] == 1 and rows[-1][1] >= DELETE_BAND
    assert all(v < DELETE_BAND for deleted, v in rows[:-1])
    tomb = conn.query_rows(
        "SELECT count() FROM {d:Identifier}.{t:Identifier} WHERE kind = 'message' AND thread_id = {id:String} "
        "AND is_deleted = 1",
        {"d": store.database, "t": store.table, "id": tid},
    )[0][0]
    assert tomb == 1
    assert _inserts(conn, store)[-1][3] == 2  # the thread's and its message's tombstones, in one insert
    conn.command("OPTIMIZE TABLE {d:Identifier}.{t:Identifier} FINAL", {"d": store.database, "t": store.table})
    assert store.get_thread("alice", tid) is None


def test_versions_monotonic_when_clock_steps_back(store: ClickHouseStore, monkeypatch: pytest.MonkeyPatch) -> None:
    tid = store.create_thread("alice")
    store.append("alice", tid, [Message(role="user", content="before")])
    monkeypatch.setattr(chmod, "_last_tick", 0)
    real = chmod.time.time_ns
    monkeypatch.setattr(chmod.time, "time_ns", lambda: real() - 3600 * 10**9)  # the clock steps back an hour
    store.rename_thread("alice", tid, "after the step")
    store.append("alice", tid, [Message(role="user", content="after")])
    thread = store.get_thread("alice", tid)
    assert thread is not None and thread.title == "after the step"
    assert [m.content for m in thread.messages] == ["before", "after"]
    assert store.delete_thread("alice", tid) and store.get_thread("alice", tid) is None


def test_missing_table_without_auto_create_says_how(conn: Connection, table_name: str) -> None:
    store = ClickHouseStore(conn, table_name, auto_create=False)
    with pytest.raises(StorageError, match="CLICKHOUSE_AGENT_CONVERSATIONS_AUTO_CREATE"):
        store.create_thread("alice")


def test_existing_table_without_auto_create_works(conn: Connection, table_name: str) -> None:
    ClickHouseStore(conn, table_name, auto_create=True).create_schema()
    store = ClickHouseStore(conn, table_name, auto_create=False)
    assert store.get_thread("alice", store.create_thread("alice")) is not None


def test_ddl_is_idempotent(store: ClickHouseStore) -> None:
    store.create_schema()
    store.create_schema()


@pytest.mark.parametrize("bad", ["x; DROP TABLE y", "a.b.c", "`a`", "db.", "", "a-b", "a b"])
def test_table_names_are_validated(conn: Connection, bad: str) -> None:
    with pytest.raises(ValidationError):
        ClickHouseStore(conn, bad)


def test_ttl_applies(conn: Connection, table_name: str) -> None:
    store = ClickHouseStore(conn, table_name, auto_create=True, ttl_days=30)
    store.create_thread("alice")
    assert re.search(r"TTL toDateTime\(created_at\) \+ toIntervalDay\(.*30", show_create(conn, store.database, store.table))


def test_cluster_schema_renders_replicated_on_cluster() -> None:
    text = "\n".join(render(sql, p) for sql, p in schema_statements("mon", "conv", cluster="prod", ttl_days=7))
    assert "ON CLUSTER `prod`" in text
    assert "ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}', version, is_deleted)" in text
    assert "`mon`.`conv` ON CLUSTER" in text and "toIntervalDay(7)" in text


def test_cluster_schema_parses_with_the_cluster_bound_in(conn: Connection) -> None:
    (create, params), *_ = schema_statements("mon", "conv", cluster="prod")
    assert "{cluster:" not in create and set(sqlfiles.placeholders(create)) == set(params) == {"db", "table"}
    formatted = conn.query_rows("SELECT formatQuery({s:String})", {"s": render(create, params)})[0][0]
    assert "ON CLUSTER prod" in formatted and "ReplicatedReplacingMergeTree" in formatted


@pytest.mark.parametrize("cluster", ["prod; DROP TABLE x", "a`b", "", "prod cluster"])
def test_a_cluster_name_that_is_not_an_identifier_is_refused(cluster: str) -> None:
    with pytest.raises(ValidationError):
        schema_statements("mon", "conv", cluster=cluster or "-")


def test_open_store_zero_config_uses_embedded_engine(settings, conn: Connection) -> None:  # noqa: ANN001
    store = open_store(load_settings(clickhouse_database="chm_test"), conn)
    assert isinstance(store, ClickHouseStore) and store.auto_create
    user = f"u-{uuid.uuid4().hex[:6]}"
    tid = store.create_thread(user)
    assert store.get_thread(user, tid) is not None


def run_cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "CHM_DATA_DIR": str(tmp_path / "engine"), "CHM_ENV": "test", "HOME": str(tmp_path)}
    return subprocess.run([sys.executable, "-m", "chstore", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def test_cli_schema_threads_and_export(tmp_path: Path) -> None:
    schema = run_cli(tmp_path, "schema")
    assert schema.returncode == 0, schema.stderr
    assert "ReplacingMergeTree(version, is_deleted)" in schema.stdout
    script = (
        "from chstore import open_store, Message\n"
        "s = open_store()\n"
        "t = s.create_thread('local')\n"
        "s.append('local', t, [Message(role='user', content='cli question'), Message(role='assistant', content='ok')])\n"
        "print(t)\n"
    )
    env = {"PATH": "/usr/bin:/bin", "CHM_DATA_DIR": str(tmp_path / "engine"), "CHM_ENV": "test"}
    made = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    tid = made.stdout.strip().splitlines()[-1]
    listed = run_cli(tmp_path, "threads", "list")
    assert tid in listed.stdout and "cli question" in listed.stdout
    shown = run_cli(tmp_path, "threads", "show", tid)
    assert json.loads(shown.stdout)["messages"][1]["content"] == "ok"
    exported = run_cli(tmp_path, "export", "-o", str(tmp_path / "out.jsonl"))
    assert exported.returncode == 0, exported.stderr
    records = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [r["id"] for r in records] == [tid]
    assert run_cli(tmp_path, "threads", "delete", tid).stdout.strip() == "deleted"
    assert tid not in run_cli(tmp_path, "threads", "list").stdout
    assert run_cli(tmp_path, "threads", "show", tid).returncode == 1


OLD_THREADS = """CREATE TABLE {d:Identifier}.{t:Identifier} (user_id String, thread_id String, title String, metadata String,
    created_at DateTime64(3, 'UTC'), updated_at DateTime64(3, 'UTC'), message_count UInt32, version UInt64,
    is_deleted UInt8) ENGINE = ReplacingMergeTree(version, is_deleted) ORDER BY (user_id, thread_id)"""
OLD_MESSAGES = """CREATE TABLE {d:Identifier}.{t:Identifier} (user_id String, thread_id String, message_id String,
    seq UInt64, role LowCardinality(String), name String, content String, metadata String,
    created_at DateTime64(3, 'UTC'), version UInt64, is_deleted UInt8)
    ENGINE = ReplacingMergeTree(version, is_deleted) ORDER BY (user_id, thread_id, message_id)"""


def test_old_two_table_layout_is_moved_over_and_kept(conn: Connection, table_name: str) -> None:
    database, table = table_name.split(".")
    conn.command(OLD_THREADS, {"d": database, "t": table})
    conn.command(OLD_MESSAGES, {"d": database, "t": f"{table}_messages"})
    conn.command(
        "INSERT INTO {d:Identifier}.{t:Identifier} VALUES ('alice', 't1', 'old title', '{}', now64(3), now64(3), 2, 5, 0), "
        "('alice', 't2', 'gone', '{}', now64(3), now64(3), 0, 5, 0), ('alice', 't2', 'gone', '{}', now64(3), now64(3), 0, 9, 1)",
        {"d": database, "t": table})
    conn.command(
        "INSERT INTO {d:Identifier}.{t:Identifier} VALUES ('alice', 't1', 'm1', 1, 'user', '', 'first', '{}', now64(3), 1, 0), "
        "('alice', 't1', 'm2', 2, 'assistant', 'builtin', 'second', '{}', now64(3), 2, 0)",
        {"d": database, "t": f"{table}_messages"})
    with pytest.raises(StorageError, match="old two-table layout"):
        ClickHouseStore(conn, table_name, auto_create=False).get_thread("alice", "t1")
    store = ClickHouseStore(conn, table_name, auto_create=True)
    thread = store.get_thread("alice", "t1")
    assert thread is not None and thread.title == "old title"
    assert [(m.id, m.content, m.name) for m in thread.messages] == [("m1", "first", ""), ("m2", "second", "builtin")]
    assert store.get_thread("alice", "t2") is None
    assert [s.id for s in store.list_threads("alice")] == ["t1"]
    store.append("alice", "t1", [Message(role="user", content="third")])
    assert store.list_threads("alice")[0].message_count == 3
    kept = conn.query_rows("SELECT name FROM system.tables WHERE database = {d:String} AND name LIKE {p:String} "
                           "ORDER BY name", {"d": database, "p": f"{table}\\_%"})
    names = [k[0] for k in kept]
    assert len(names) == 2 and names[0] == f"{table}_messages" and names[1].startswith(f"{table}_old_threads_")
    ClickHouseStore(conn, table_name, auto_create=True).create_schema()  # idempotent once moved


def test_get_threads_reads_a_batch_in_the_order_asked(store: ClickHouseStore) -> None:
    ids = [store.create_thread("alice", title=f"t{n}") for n in range(4)]
    for n, tid in enumerate(ids):
        store.append("alice", tid, [Message(role="user", content=f"q{n}"), Message(role="assistant", content=f"a{n}")])
    store.delete_thread("alice", ids[1])
    theirs = store.create_thread("bob")
    got = store.get_threads("alice", [ids[3], ids[1], "missing", theirs, ids[0], ids[3]])
    assert [t.id for t in got] == [ids[3], ids[0]]
    assert got[0] == store.get_thread("alice", ids[3])
    assert [m.content for m in got[1].messages] == ["q0", "a0"]
    assert store.get_threads("alice", []) == []
    with pytest.raises(ValidationError):
        store.get_threads("", [ids[0]])


def test_reads_are_not_cut_at_the_dashboards_row_cap(conn: Connection, table_name: str) -> None:
    capped = Connection(conn.label, conn.client, conn.embedded, max_result_rows=5)
    store = ClickHouseStore(capped, table_name, auto_create=True)
    tid = store.create_thread("alice")
    store.append("alice", tid, [Message(role="user", content=f"m{i}") for i in range(12)])
    assert len(store.get_thread("alice", tid).messages) == 12
    assert len(store.get_threads("alice", [tid])[0].messages) == 12
    others = [store.create_thread("alice") for _ in range(7)]
    assert len(store.list_threads("alice", limit=50)) == 8
    assert store.delete_all("alice") == 8 and store.get_thread("alice", others[0]) is None
    leftover = conn.query_rows(
        "SELECT count() FROM {d:Identifier}.{t:Identifier} FINAL WHERE kind = 'message'",
        {"d": store.database, "t": store.table})[0][0]
    assert leftover == 0  # every message of every thread got its tombstone


def test_reads_keep_the_latest_of_unmerged_versions(store: ClickHouseStore, conn: Connection) -> None:
    """Store reads skip FINAL and pick versions in Python: with merges stopped, every version is still on disk."""
    table = {"d": store.database, "t": store.table}
    store.create_schema()
    conn.command("SYSTEM STOP MERGES {d:Identifier}.{t:Identifier}", table)
    try:
        tid = store.create_thread("alice", title="first")
        store.append("alice", tid, [Message(role="user", content="q1", id="m1")])
        store.rename_thread("alice", tid, "second")
        store.append("alice", tid, [Message(role="user", content="q1", id="m1"),  # a retry: skipped
                                    Message(role="assistant", content="a1", id="m2")])
        store.rename_thread("alice", tid, "third")
        gone = store.create_thread("alice", title="gone")
        store.append("alice", gone, [Message(role="user", content="bye", id="m3")])
        assert store.delete_thread("alice", gone)
        versions = conn.query_rows(
            "SELECT count() FROM {d:Identifier}.{t:Identifier} WHERE kind = 'thread' AND thread_id = {id:String}",
            {**table, "id": tid})[0][0]
        assert versions == 5  # create, append, rename, append, rename: none merged away
        thread = store.get_thread("alice", tid)
        assert (thread.title, [m.id for m in thread.messages]) == ("third", ["m1", "m2"])
        assert store.list_threads("alice")[0].message_count == 2
        assert store.get_thread("alice", gone) is None and store.get_threads("alice", [gone, tid])[0].id == tid
        assert store.append("alice", tid, [Message(role="user", content="q2", id="m4")]) == 1
        assert store.get_thread("alice", tid).title == "third"  # the append carried the latest title on
        with pytest.raises(NotFoundError):
            store.append("alice", gone, [Message(role="user", content="back?", id="m5")])
    finally:
        conn.command("SYSTEM START MERGES {d:Identifier}.{t:Identifier}", table)


def test_latest_rows_keeps_the_highest_version_per_key() -> None:
    def row(kind: str, mid: str, version: int) -> chmod.StateRow:
        return chmod.StateRow(kind, mid, "", "{}", chmod.EPOCH, chmod.EPOCH, 0, version, 0)

    rows = [row("thread", "", 3), row("message", "a", 5), row("thread", "", 9), row("message", "a", 4),
            row("thread", "", 7)]

    def key(r: chmod.StateRow) -> tuple[str, str]:
        return r.kind, r.message_id

    assert chmod.latest_rows(rows, key) == {("thread", ""): rows[2], ("message", "a"): rows[1]}
    assert chmod.latest_rows([], key) == {}


def test_named_rows_match_the_columns_of_their_statements(store: ClickHouseStore, conn: Connection) -> None:
    tid = store.create_thread("alice", title="named")
    store.append("alice", tid, [Message(role="user", content="q")])
    params = {"db": store.database, "table": store.table, "user_id": "alice", "thread_id": tid, "ids": [],
              "thread_ids": [tid], "limit": 5, "before_ts": datetime(2299, 1, 1), "before_id": "", "text": "q"}
    for name, row_type in chmod.ROW_TYPES.items():
        sql = sqlfiles.load(f"store/{name}")
        frame = conn.query_df(sql, {k: v for k, v in params.items() if k in sqlfiles.placeholders(sql)})
        assert list(frame.columns) == list(row_type._fields), name
        assert not frame.empty, name


def test_a_deleted_threads_rows_leave_the_disk_once_parts_reach_the_merge_age(
    store: ClickHouseStore, conn: Connection
) -> None:
    word = f"quince{uuid.uuid4().hex[:10]}"
    table = {"d": store.database, "t": store.table}
    tid = store.create_thread("alice", title=f"about {word}", metadata={"tag": word})
    store.append("alice", tid, [Message(role="user", content=f"secret {word}")])
    kept = store.create_thread("alice", title="kept")
    store.append("alice", kept, [Message(role="user", content="stays")])
    assert "min_age_to_force_merge_seconds = 600" in show_create(conn, store.database, store.table)
    raw = ("SELECT count() FROM {d:Identifier}.{t:Identifier} WHERE position(content, {w:String}) > 0 "
           "OR position(title, {w:String}) > 0 OR position(metadata, {w:String}) > 0")
    assert conn.query_rows(raw, {**table, "w": word}) == [(3,)]
    assert store.delete_thread("alice", tid)
    assert store.get_thread("alice", tid) is None  # gone from every read at once
    conn.command("ALTER TABLE {d:Identifier}.{t:Identifier} MODIFY SETTING min_age_to_force_merge_seconds = 1", table)
    deadline = time.monotonic() + 60
    while conn.query_rows(raw, {**table, "w": word}) != [(0,)]:
        assert time.monotonic() < deadline, "the deleted thread's rows are still on disk after 60 s"
        time.sleep(0.2)
    assert [m.content for m in store.get_thread("alice", kept).messages] == ["stays"]  # type: ignore[union-attr]
    with pytest.raises(ValidationError):
        store.create_thread("alice", thread_id=tid)  # the tombstones stay: the id is still refused
