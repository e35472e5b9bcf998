"""History: filtered keyset pages, scoping, analytics, the scoped SQL console and exports, on the embedded engine."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from chstore import Message
from chstore.clickhouse import ClickHouseStore
from chstore.memory import MemoryStore
from chstore.model import BaseStore, thread_record
from core import sqlfiles
from core.connection import Connection
from core.errors import QueryError, ReadOnlyViolation, ValidationError
from history import console, export
from history.queries import (
    ALL_USERS,
    ANALYTICS,
    EPOCH,
    Filters,
    Scope,
    ThreadBrowser,
    analytics,
    decode_cursor,
    encode_cursor,
    scope_for,
)

NOW = datetime.now(UTC)
WINDOW = (NOW - timedelta(days=2), NOW + timedelta(days=1))


def _tool(name: str, error: str = "", ms: float = 10.0) -> Message:
    return Message(role="tool", name=name, content=json.dumps({"columns": ["n"], "rows": [[1]], "row_count": 1}),
                   metadata={"arguments": {"limit": 5}, "sql": "SELECT 1 AS n", "duration_ms": ms, "rows": 1,
                             "error": error, "error_name": "QUERY_ERROR" if error else ""})


def _answer(text: str, model: str = "built-in", intent: str = "x", **extra: object) -> Message:
    return Message(role="assistant", content=text, metadata={"model": model, "intent": intent, **extra})


@pytest.fixture
def seeded(conn: Connection, table_name: str) -> tuple[ClickHouseStore, dict[str, str]]:
    """A store with alice's and bob's conversations covering every filter."""
    store = ClickHouseStore(conn, table_name, auto_create=True)
    ids = {}

    def thread(user: str, key: str, messages: list[Message]) -> None:
        ids[key] = store.create_thread(user)
        store.append(user, ids[key], messages)

    thread("alice", "merges", [Message(role="user", content="show merges for table hits"),
                               _tool("merges", ms=30.0), _answer("2 merges are running")])
    thread("alice", "failed", [Message(role="user", content="are there failed queries today?"),
                               _tool("failed_queries", error="Code: 60 boom", ms=50.0), _answer("it failed")])
    thread("alice", "unknown", [Message(role="user", content="tell me a joke about giraffes"),
                                _answer("I did not understand", intent="unknown")])
    thread("alice", "llm", [Message(role="user", content="what is running now?"),
                            _answer("nothing", model="gpt-test",
                                    usage={"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120})])
    thread("bob", "zebra", [Message(role="user", content="bob's secret zebra question"), _tool("merges"),
                            _answer("bob answer")])
    return store, ids


def test_pages_are_newest_first_keyset_and_counted(seeded: tuple) -> None:
    store, ids = seeded
    browser = ThreadBrowser(store)
    seen, cursor, pages = [], None, 0
    while True:
        page = browser.page(Scope("alice"), Filters(), limit=3, cursor=cursor)
        assert page.matching == 4 and page.matching_messages == 10
        seen += page.rows
        pages += 1
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert pages == 2
    assert [r.thread_id for r in seen] == [ids["llm"], ids["unknown"], ids["failed"], ids["merges"]]
    assert all(r.user_id == "alice" for r in seen)
    assert [r.updated_at for r in seen] == sorted((r.updated_at for r in seen), reverse=True)
    assert list(browser.iter_rows(Scope("alice"), Filters(), page_size=2)) == seen


@pytest.mark.parametrize(("filters", "expected"), [
    (Filters(text="GIRAFFES"), {"unknown"}),
    (Filters(text="2 merges are"), {"merges"}),
    (Filters(text="show merges"), {"merges"}),
    (Filters(tool="merges"), {"merges"}),
    (Filters(tool="failed_queries"), {"failed"}),
    (Filters(has_errors=True), {"failed"}),
    (Filters(model="gpt-test"), {"llm"}),
    (Filters(model="built-in", tool="merges"), {"merges"}),
    (Filters(start=WINDOW[0], end=WINDOW[1]), {"merges", "failed", "unknown", "llm"}),
    (Filters(start=EPOCH, end=NOW - timedelta(days=1)), set()),
    (Filters(text="zebra"), set()),
])
def test_filters_select_the_right_conversations(seeded: tuple, filters: Filters, expected: set[str]) -> None:
    store, ids = seeded
    page = ThreadBrowser(store).page(Scope("alice"), filters)
    assert {r.thread_id for r in page.rows} == {ids[k] for k in expected}
    assert page.matching == len(expected)


def test_scope_keeps_users_apart_and_admins_see_all(seeded: tuple) -> None:
    store, ids = seeded
    browser = ThreadBrowser(store)
    assert scope_for("alice", admin=False, choice=ALL_USERS) == Scope("alice")
    assert scope_for("alice", admin=False, choice="bob") == Scope("alice")
    assert scope_for("root", admin=True, choice="bob") == Scope("bob")
    everyone = scope_for("root", admin=True, choice=ALL_USERS)
    assert everyone.all_users
    assert {r.user_id for r in browser.page(Scope("alice"), Filters(tool="merges")).rows} == {"alice"}
    both = browser.page(everyone, Filters(tool="merges"))
    assert {(r.user_id, r.thread_id) for r in both.rows} == {("alice", ids["merges"]), ("bob", ids["zebra"])}
    assert browser.facets(Scope("bob")) == {"tools": ["merges"], "models": ["built-in"]}
    assert browser.facets(Scope("alice")) == {"tools": ["failed_queries", "merges"],
                                             "models": ["built-in", "gpt-test"]}


def test_a_deleted_conversation_is_gone_from_pages_search_and_counts(seeded: tuple) -> None:
    store, ids = seeded
    browser = ThreadBrowser(store)
    assert store.delete_thread("alice", ids["unknown"])
    page = browser.page(Scope("alice"), Filters())
    assert ids["unknown"] not in {r.thread_id for r in page.rows} and page.matching == 3
    assert browser.page(Scope("alice"), Filters(text="giraffes")).rows == []


def test_cursor_round_trip_and_rejects_garbage(seeded: tuple) -> None:
    store, _ = seeded
    row = ThreadBrowser(store).page(Scope("alice"), Filters(), limit=1).rows[0]
    assert decode_cursor(encode_cursor(row)) == (row.updated_at, row.user_id, row.thread_id)
    with pytest.raises(ValidationError):
        decode_cursor("not json")


def test_analytics_queries_on_real_rows(seeded: tuple) -> None:
    store, _ = seeded
    results = {name: analytics(store, name, Scope("alice"), *WINDOW) for name in ANALYTICS}
    daily = results["activity_per_day"]
    assert len(daily) == 4 and daily["conversations"].sum() == 4 and daily["messages"].sum() == 10
    tools = results["tool_usage"].set_index("tool")
    assert tools.loc["merges", "calls"] == 1 and tools.loc["failed_queries", "failure_rate"] == 1.0
    assert tools.loc["failed_queries", "p50_ms"] == 50.0
    tokens = results["tokens_by_model"].set_index("model")
    assert tokens.loc["gpt-test", "total_tokens"] == 120 and tokens.loc["built-in", "answers"] == 3
    assert list(results["unanswered"]["question"]) == ["tell me a joke about giraffes"]
    everyone = analytics(store, "tool_usage", Scope("root", all_users=True), *WINDOW).set_index("tool")
    assert everyone.loc["merges", "calls"] == 2


def test_every_history_sql_file_is_used() -> None:
    names = [n for n in sqlfiles.all_names() if n.startswith("history/") and not n.startswith("history/console/")]
    used = {f"history/{n}" for n in (*ANALYTICS, "threads_page", "facets", "console_scope")}
    assert set(names) == used
    for name in names:
        for placeholder, typ in sqlfiles.placeholders(sqlfiles.load(name)).items():
            assert placeholder and typ, name


def test_console_templates_run_scoped(seeded: tuple) -> None:
    store, _ = seeded
    templates = console.templates()
    assert len(templates) >= 5
    for template in templates:
        frame = console.run(store, template.sql, Scope("alice"), admin=False)
        assert not frame.empty, template.name
    users = console.run(store, "SELECT DISTINCT user_id FROM messages", Scope("alice"), admin=False)
    assert list(users["user_id"]) == ["alice"]
    nested = console.run(store, "WITH m AS (SELECT * FROM messages) SELECT uniqExact(user_id) AS u FROM m "
                                "WHERE thread_id IN (SELECT thread_id FROM threads)", Scope("alice"), admin=False)
    assert nested["u"].tolist() == [1]
    admin = console.run(store, "SELECT DISTINCT user_id FROM threads ORDER BY user_id", Scope("root", True), True)
    assert list(admin["user_id"]) == ["alice", "bob"]


def test_console_refuses_every_way_around_the_scope(seeded: tuple) -> None:
    store, _ = seeded
    db, table = store.database, store.table
    attempts = [
        f"SELECT * FROM {db}.{table}_messages",
        f"SELECT * FROM {table}_messages",
        f"SELECT * FROM `{table}`",
        f"SELECT * FROM merge('{db}', '^{table}')",
        "SELECT * FROM merge(currentDatabase(), '.*')",
        "SELECT * FROM cluster('default', currentDatabase(), 'x')",
        "SELECT * FROM {db:Identifier}.{table:Identifier}",
        f"SELECT * FROM {table}_old_threads_20260101000000",
        "SELECT * FROM system.tables",
        "SELECT dictGet('d', 'x', 1)",
        "SHOW TABLES",
        "DROP TABLE threads",
        "SELECT * FROM url('http://example.com', CSV)",
    ]
    for sql in attempts:
        with pytest.raises(ReadOnlyViolation):
            console.run(store, sql, Scope("alice"), admin=False)
    for sql in (f"SELECT 1) UNION ALL (SELECT user_id FROM {db}.x", "SELECT 1; SELECT 2"):
        with pytest.raises(QueryError) as caught:
            console.run(store, sql, Scope("alice"), admin=False)
        assert caught.value.name == "SYNTAX_ERROR"
    with pytest.raises(ValidationError):
        console.run(store, "SELECT 1", Scope("alice", all_users=True), admin=False)


def test_the_server_lock_alone_keeps_other_users_rows_out(seeded: tuple) -> None:
    store, _ = seeded
    tables = {"db": store.database, "table": store.table}
    direct = f"SELECT DISTINCT user_id FROM {store.database}.{store.table}"
    assert set(store.conn.query_df(direct, readonly=True)["user_id"]) == {"alice", "bob"}
    scoped = store.conn.query_df(direct, readonly=True,
                                 settings={"additional_table_filters": console.row_filters(tables, Scope("bob"))})
    assert list(scoped["user_id"]) == ["bob"]
    odd = console.row_filters(tables, Scope("o'neil\\') OR 1=1 --"))
    assert set(odd.values()) == {"user_id = unhex('" + b"o'neil\\') OR 1=1 --".hex() + "')"}
    assert store.conn.query_df(direct, readonly=True, settings={"additional_table_filters": odd}).empty


def test_exports_in_every_format(seeded: tuple) -> None:
    store, ids = seeded
    browser = ThreadBrowser(store)
    rows = list(browser.iter_rows(Scope("alice"), Filters()))
    threads = [store.get_thread("alice", r.thread_id) for r in rows]
    jsonl = "".join(export.chunks(export.threads_of(store, rows), "JSONL"))
    assert [json.loads(line) for line in jsonl.splitlines()] == [
        json.loads(json.dumps(thread_record(t))) for t in threads
    ]
    as_json = json.loads("".join(export.chunks(export.threads_of(store, rows), "JSON")))
    assert [t["id"] for t in as_json] == [r.thread_id for r in rows]
    assert json.loads("".join(export.chunks([], "JSON"))) == []
    md = "".join(export.chunks([store.get_thread("alice", ids["failed"])], "Markdown"))
    assert md.startswith("# are there failed queries today?")
    assert "```sql\nSELECT 1 AS n\n```" in md and "**Error:** Code: 60 boom" in md and "### tool `failed_queries`" in md
    tricky = Message(role="assistant", content="```python\nx\n```")
    assert "````" in export._fence(tricky.content)
    with pytest.raises(ValueError):
        list(export.chunks([], "XML"))
    assert export.file_name("what is: running?", "Markdown") == "what-is-running.md"


def test_export_streams_a_batch_at_a_time(seeded: tuple) -> None:
    store, _ = seeded
    fetched: list[list[str]] = []
    original = store.get_threads

    def counting(user: str, thread_ids: list[str]) -> object:
        fetched.append(list(thread_ids))
        return original(user, thread_ids)

    store.get_threads = counting  # type: ignore[method-assign]
    rows = ThreadBrowser(store).iter_rows(Scope("alice"), Filters(), page_size=1)
    stream = export.chunks(export.threads_of(store, rows, batch=2), "JSONL")
    first = next(stream)
    assert len(fetched) == 1 and len(fetched[0]) == 2 and json.loads(first)["id"] == fetched[0][0]
    with export.deferred(lambda: stream)() as handle:
        rest = handle.read().decode()
    assert [len(ids) for ids in fetched] == [2, 2] and len(rest.splitlines()) == 3


def test_export_reads_one_by_one_from_a_store_without_batches(seeded: tuple) -> None:
    store, _ = seeded
    rows = list(ThreadBrowser(store).iter_rows(Scope("alice"), Filters()))
    one_by_one = MemoryStore()
    for row in rows:
        thread = store.get_thread("alice", row.thread_id)
        one_by_one.create_thread("alice", title=thread.title, thread_id=thread.id)
        one_by_one.append("alice", thread.id, thread.messages)
    read: list[str] = []
    original = one_by_one._get_thread

    def counting(user: str, thread_id: str) -> object:
        read.append(thread_id)
        return original(user, thread_id)

    one_by_one._get_thread = counting  # type: ignore[method-assign]
    assert type(one_by_one)._get_threads is BaseStore._get_threads  # no batch read of its own
    assert [t.id for t in export.threads_of(one_by_one, rows)] == [r.thread_id for r in rows]
    assert read == [r.thread_id for r in rows]


def test_memory_store_falls_back_to_the_store_api() -> None:
    store = MemoryStore()
    for n in range(3):
        tid = store.create_thread("carol")
        store.append("carol", tid, [Message(role="user", content=f"question {n} about parts")])
    browser = ThreadBrowser(store)
    assert not browser.filters_supported
    first = browser.page(Scope("carol"), Filters(), limit=2)
    second = browser.page(Scope("carol"), Filters(), limit=2, cursor=first.next_cursor)
    assert len(first.rows) == 2 and len(second.rows) == 1 and second.next_cursor is None
    found = browser.page(Scope("carol"), Filters(text="question 1", tool="merges"))
    assert [r.title for r in found.rows] == ["question 1 about parts"]
    assert found.notes and "ClickHouse" in found.notes[0]
    assert browser.facets(Scope("carol")) == {"tools": [], "models": []}
    with pytest.raises(ValidationError):
        console.run(store, "SELECT 1", Scope("carol"), admin=False)
