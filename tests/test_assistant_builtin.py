"""The built-in assistant: questions → tool and parameters, every tool on the embedded engine, honest summaries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from assistant.builtin import BuiltinAssistant, parse_window, plan, summarize
from assistant.tools import build_tools, run_tool
from assistant.turn import Turn

NOW = datetime(2026, 3, 10, 15, 30, tzinfo=UTC)
MIDNIGHT = datetime(2026, 3, 10, tzinfo=UTC)
HOUR = timedelta(hours=1)
KNOWN_TABLES = {"events": "shop", "orders": "shop"}


def resolve(table: str) -> str | None:
    return KNOWN_TABLES.get(table)


@pytest.fixture(scope="module")
def tools(settings):
    return build_tools(settings.model_copy(update={"chm_enable_control_actions": True}))


# question, expected tool, expected arguments (a subset of what the plan holds; start/end as (start, end))
QUESTIONS = [
    ("what is running now?", "queries_running", {}),
    ("What's currently running?", "queries_running", {}),
    ("show queries in progress for user alice", "queries_running", {"user": "alice"}),
    ("which processes are running right now, top 5", "queries_running", {"limit": 5}),
    ("slowest queries in the last 2 hours", "queries_slow", {"window": (NOW - 2 * HOUR, NOW)}),
    ("top 10 slowest queries today", "queries_slow", {"limit": 10, "window": (MIDNIGHT, NOW)}),
    ("which queries took the longest in the past 30 minutes?", "queries_slow",
     {"window": (NOW - timedelta(minutes=30), NOW)}),
    ("slow queries by user bob yesterday", "queries_slow",
     {"user": "bob", "window": (MIDNIGHT - timedelta(days=1), MIDNIGHT)}),
    ("slowest queries on table shop.events in the last day", "queries_slow",
     {"table": "shop.events", "window": (NOW - timedelta(days=1), NOW)}),
    ("most expensive queries in the last week", "queries_expensive", {"window": (NOW - timedelta(days=7), NOW)}),
    ("are there failed queries today?", "queries_failed", {"window": (MIDNIGHT, NOW)}),
    ("any query errors in the last 15 minutes", "queries_failed", {"window": (NOW - timedelta(minutes=15), NOW)}),
    ("show exceptions for user etl since 3 hours ago", "queries_failed",
     {"user": "etl", "window": (NOW - 3 * HOUR, NOW)}),
    ("last 20 failed queries", "queries_failed", {"limit": 20}),
    ("which tables are biggest?", "tables", {}),
    ("top 3 largest tables in database shop", "tables", {"limit": 3, "database": "shop"}),
    ("which tables take up the most space", "tables", {}),
    ("how much disk is free?", "disks", {}),
    ("is the disk full?", "disks", {}),
    ("how much free space is left", "disks", {}),
    ("is replication healthy?", "replicas", {}),
    ("replica delay for table shop.orders", "replicas", {"database": "shop", "table": "orders"}),
    ("show merges for table events", "merges_running", {"database": "shop", "table": "events"}),
    ("are any merges running in database shop?", "merges_running", {"database": "shop"}),
    ("are there stuck mutations?", "mutations", {}),
    ("mutations of table orders", "mutations", {"database": "shop", "table": "orders"}),
    ("which tables have the most parts?", "parts_per_partition", {}),
    ("parts per table in the shop database", "parts_per_partition", {"database": "shop"}),
    ("what columns does table shop.events have?", "table_columns", {"database": "shop", "table": "events"}),
    ("describe table events", "table_columns", {"database": "shop", "table": "events"}),
    ("schema of system.parts", "table_columns", {"database": "system", "table": "parts"}),
    ("which databases exist?", "databases", {}),
    ("list databases", "databases", {}),
    ("which tables are in database shop?", "tables", {"database": "shop"}),
    ("list tables named order", "tables", {"name_like": "order"}),
    ("how many queries per minute in the last hour", "queries_volume", {"window": (NOW - HOUR, NOW)}),
    ("query rate for user alice over the last 6 hours", "queries_volume",
     {"user": "alice", "window": (NOW - 6 * HOUR, NOW)}),
    ("which users ran the most queries today?", "queries_by_user", {"window": (MIDNIGHT, NOW)}),
    ("top 5 users in the last 2 days", "queries_by_user", {"limit": 5, "window": (NOW - timedelta(days=2), NOW)}),
    ("which errors has the server counted?", "errors", {}),
    ("server errors", "errors", {}),
    ("what version is the server and its uptime?", "server_info", {}),
    ("SELECT count() FROM system.tables", "run_sql", {"sql": "SELECT count() FROM system.tables"}),
    ("show tables from system", "run_sql", {"sql": "show tables from system"}),
    ("please run ```sql\nSELECT 1\n```", "run_sql", {"sql": "SELECT 1"}),
    ("explain SELECT * FROM system.one", "explain", {"sql": "SELECT * FROM system.one"}),
    ("explain pipeline SELECT 1", "explain", {"sql": "SELECT 1", "kind": "PIPELINE"}),
    ("kill query 5f2a-77", "kill_query", {"query_id": "5f2a-77"}),
    ("kill mutation 0000000003 on table events", "kill_mutation",
     {"mutation_id": "0000000003", "database": "shop", "table": "events"}),
    ("optimize table shop.orders", "optimize_table", {"database": "shop", "table": "orders"}),
]


def test_at_least_forty_questions() -> None:
    assert len(QUESTIONS) >= 40


@pytest.mark.parametrize(("question", "tool", "expected"), QUESTIONS, ids=[q for q, _, _ in QUESTIONS])
def test_question_picks_tool_and_parameters(tools, question: str, tool: str, expected: dict) -> None:
    chosen = plan(question, tools, now=NOW, resolve_table=resolve)
    assert chosen.tool == tool
    expected = dict(expected)
    window = expected.pop("window", None)
    for key, value in expected.items():
        assert chosen.arguments.get(key) == value, key
    if window is not None:
        assert (chosen.arguments["start"], chosen.arguments["end"]) == window
    assert set(chosen.arguments) <= tools[tool].accepts


@pytest.mark.parametrize("question", ["what's the weather in Paris?", "tell me a joke", "hello"])
def test_unknown_questions_say_so(tools, question: str) -> None:
    assert plan(question, tools, now=NOW).intent == "unknown"


def test_windows() -> None:
    assert parse_window("in the last 2 hours", NOW).start == NOW - 2 * HOUR
    assert parse_window("today", NOW).start == MIDNIGHT
    assert parse_window("since yesterday", NOW).start == MIDNIGHT - timedelta(days=1)
    assert parse_window("past week", NOW).start == NOW - timedelta(days=7)
    assert parse_window("no window here", NOW) is None


@pytest.fixture(scope="module")
def shop(conn):
    conn.command("CREATE DATABASE IF NOT EXISTS shop")
    conn.command("CREATE TABLE IF NOT EXISTS shop.events (id UInt64, kind String) ENGINE = MergeTree ORDER BY id")
    conn.command("CREATE TABLE IF NOT EXISTS shop.orders (id UInt64) ENGINE = MergeTree ORDER BY id")
    conn.command("TRUNCATE TABLE shop.events")
    conn.command("INSERT INTO shop.events SELECT number, toString(number % 3) FROM numbers(5000)")
    conn.command("INSERT INTO shop.events SELECT number, 'x' FROM numbers(10)")
    conn.query_df("SELECT 1")
    conn.command("SYSTEM FLUSH LOGS")
    return "shop"


# Errors that mean "this server does not have that" (embedded engine lacks some system tables).
UNAVAILABLE = {"UNKNOWN_TABLE", "ACCESS_DENIED", "CANNOT_EXTRACT_TABLE_STRUCTURE", "UNKNOWN_DATABASE",
               "SUPPORT_IS_DISABLED", "NOT_IMPLEMENTED", "CLUSTER_DOESNT_EXIST"}


def test_every_tool_runs_on_the_embedded_engine(conn, tools, shop) -> None:
    failures = {}
    for name, tool in tools.items():
        if tool.kind == "control":
            run = run_tool(conn, tool, {p: "x" for p in tool.accepts})
            assert run.pending and run.frame is None, name
            continue
        arguments = {"sql": "SELECT 1"} if tool.kind in ("run_sql", "explain") else {}
        run = run_tool(conn, tool, arguments, now=datetime.now(UTC))
        acceptable = UNAVAILABLE | set(tool.panel.acceptable_errors) if tool.panel else set()
        if run.error and (run.error_name not in acceptable or tool.panel.sql.startswith("assistant/")):
            failures[name] = run.error
    assert failures == {}


def test_assistant_tools_return_real_rows(conn, tools, shop) -> None:
    run = run_tool(conn, tools["biggest_tables"], {"database": "shop"})
    assert list(run.frame["table"]) == ["events"] or "events" in set(run.frame["table"])
    assert int(run.frame.loc[run.frame["table"] == "events", "total_rows"].iloc[0]) == 5010
    schema = run_tool(conn, tools["table_schema"], {"database": "shop", "table": "events"})
    assert list(schema.frame["column"]) == ["id", "kind"]


def test_summary_uses_only_numbers_from_the_rows(conn, tools, shop) -> None:
    run = run_tool(conn, tools["list_tables"], {"database": "shop"})
    text = summarize(INTENTS_BY_NAME["list_tables"], run)
    assert text.startswith(f"{len(run.frame)} tables")
    assert "5010" in text
    empty = run_tool(conn, tools["running_merges"], {"database": "shop", "table": "nope"})
    assert summarize(INTENTS_BY_NAME["merges"], empty) == "No merges are running right now."


def test_assistant_answers_and_records_the_turn(conn, tools, shop) -> None:
    turn = Turn()
    events = list(BuiltinAssistant(conn, tools).respond("columns of table shop.events", [], turn))
    assert [m.role for m in turn.messages] == ["tool", "assistant"]
    assert turn.messages[0].metadata["rows"] == 2
    assert "2 columns" in events[-1]
    unknown = Turn()
    text = "".join(e for e in BuiltinAssistant(conn, tools).respond("sing a song", [], unknown) if isinstance(e, str))
    assert "did not understand" in text and "what is running now?" in text


def test_control_actions_off_by_default(conn, settings, shop) -> None:
    tools = build_tools(settings)
    assert "kill_query" not in tools
    turn = Turn()
    text = "".join(e for e in BuiltinAssistant(conn, tools).respond("kill query abc", [], turn) if isinstance(e, str))
    assert "CHM_ENABLE_CONTROL_ACTIONS" in text


def test_guard_refusal_is_reported_not_raised(conn, tools) -> None:
    run = run_tool(conn, tools["run_sql"], {"sql": "SELECT * FROM url('http://example.com/x', CSV, 'a Int')"})
    assert run.error_name == "READONLY_GUARD" and "url()" in run.error
