"""The built-in assistant: questions → catalog panel and parameters by retrieval, every tool on the embedded engine,
honest summaries with units, links to the dashboard."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from assistant.builtin import BuiltinAssistant, parse_window, plan, summarize
from assistant.tools import MAX_TOOLS, build_tools, page_link, run_tool
from assistant.turn import Turn
from dashboard.catalog import PANELS

NOW = datetime(2026, 3, 10, 15, 30, tzinfo=UTC)
MIDNIGHT = datetime(2026, 3, 10, tzinfo=UTC)
HOUR = timedelta(hours=1)
KNOWN_TABLES = {"events": "shop", "orders": "shop"}


def resolve(table: str) -> str | None:
    return KNOWN_TABLES.get(table)


@pytest.fixture(scope="module")
def tools(settings):
    enabled = settings.app.model_copy(update={"enable_control_actions": True})
    return build_tools(settings.model_copy(update={"app": enabled}))


# question, expected panel (or tool), expected arguments (a subset of what the plan holds; start/end as (start, end))
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
    ("which error codes has it hit since the server restarted?", "errors", {}),
    ("what is max_threads set to for my session?", "session_settings", {"text": "max_threads"}),
    ("znodes under /clickhouse/task_queue in keeper", "zookeeper", {"path": "/clickhouse/task_queue"}),
    ("rows per minute inserted into shop.orders over the last 3 hours", "table_insert_rate",
     {"database": "shop", "table": "orders", "window": (NOW - 3 * HOUR, NOW)}),
    ("backup history for the past week", "backup_log", {"window": (NOW - timedelta(days=7), NOW)}),
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


def _chosen(question: str, tools) -> tuple[str, dict]:
    chosen = plan(question, tools, now=NOW, resolve_table=resolve)
    if chosen.tool == "run_panel":
        return chosen.arguments["name"], chosen.arguments["arguments"]
    return chosen.tool, chosen.arguments


@pytest.mark.parametrize(("question", "tool", "expected"), QUESTIONS, ids=[q for q, _, _ in QUESTIONS])
def test_question_picks_panel_and_parameters(tools, question: str, tool: str, expected: dict) -> None:
    name, arguments = _chosen(question, tools)
    assert name == tool
    expected = dict(expected)
    window = expected.pop("window", None)
    for key, value in expected.items():
        assert arguments.get(key) == value, key
    if window is not None:
        assert (arguments["start"], arguments["end"]) == window
    accepts = set(tools[tool].accepts) if tool in tools else {p.name for p in PANELS[tool].params} | {"start", "end"}
    assert set(arguments) <= accepts


# The issue's examples: each must be answered from this system table.
ISSUE_EXAMPLES = [
    ("is the server healthy?", None),
    ("show me memory usage over the last hour", "metric_log"),
    ("what settings have been changed from their defaults?", "settings"),
    ("are any inserts being delayed or rejected?", "metric_log"),
    ("any detached parts?", "detached_parts"),
    ("show recent crashes", "crash_log"),
    ("who logged in recently?", "session_log"),
    ("p95 query latency over the last 6 hours", "query_log"),
    ("which queries used the most memory in the last day?", "query_log"),
]


@pytest.mark.parametrize(("question", "table"), ISSUE_EXAMPLES, ids=[q for q, _ in ISSUE_EXAMPLES])
def test_issue_examples_are_answered_from_the_right_table(conn, tools, question: str, table: str | None) -> None:
    turn = Turn()
    events = list(BuiltinAssistant(conn, tools).respond(question, [], turn))
    runs = [m for m in turn.messages if m.role == "tool"]
    assert runs, events
    if table is None:
        assert runs[0].name == "health" and runs[0].metadata["link"] == "/health"
        return
    panel = PANELS[runs[0].metadata["panel"]]
    assert table in panel.reads, (question, panel.name)
    assert runs[0].metadata["link"].startswith("/")


# How operators type: abbreviations, typos, system table names, CamelCase names, a past window, a vague complaint.
# Each must be planned from this system table (None: the Health page).
TYPED = [
    ("repl lag on shop.orders", "replicas"),
    ("mem usage last 3h", "metric_log"),
    ("p99 over the last day", "query_log"),
    ("ddl queue on cluster", "distributed_ddl_queue"),
    ("replcation queue stuck?", "replication_queue"),
    ("any mutaions pending", "mutations"),
    ("rows of system.errors", "errors"),
    ("what's in system.processes", "processes"),
    ("replication_queue entries", "replication_queue"),
    ("ProfileEvents of query abc", "query_log"),
    ("async inserts in the last 6 hours", "asynchronous_insert_log"),
    ("why is clickhouse so slow", None),
]


@pytest.mark.parametrize(("question", "table"), TYPED, ids=[q for q, _ in TYPED])
def test_questions_as_operators_type_them(tools, question: str, table: str | None) -> None:
    chosen = plan(question, tools, now=NOW, resolve_table=resolve)
    if table is None:
        assert chosen.intent == "health"
        return
    assert chosen.tool == "run_panel" and table in PANELS[chosen.arguments["name"]].reads, chosen.panels


def test_a_system_table_asked_about_is_not_read(tools) -> None:
    chosen = plan("schema of system.query_log", tools, now=NOW)
    assert chosen.arguments["name"] == "table_columns"
    assert chosen.arguments["arguments"] == {"database": "system", "table": "query_log"}


def test_p95_question_reads_its_window_and_links_with_it(tools) -> None:
    chosen = plan("p95 query latency over the last 6 hours", tools, now=NOW)
    assert chosen.arguments["name"] == "overview_duration_quantiles"
    assert chosen.arguments["arguments"]["start"] == NOW - 6 * HOUR


def test_choices_named_in_the_question_are_taken(tools) -> None:
    chosen = plan("which queries used the most memory in the last day?", tools, now=NOW)
    assert chosen.arguments["name"] == "queries_expensive"
    assert chosen.arguments["arguments"]["order_by"] == "max_memory"
    assert "order_by" not in plan("expensive query shapes", tools, now=NOW).arguments["arguments"]


@pytest.mark.parametrize("question", ["what's the weather in Paris?", "tell me a joke", "hello"])
def test_unknown_questions_say_so(tools, question: str) -> None:
    assert plan(question, tools, now=NOW).intent == "unknown"


def test_overview_question_runs_two_panels(tools) -> None:
    chosen = plan("give me an overview of the server", tools, now=NOW)
    assert len(chosen.panels) == 2 and chosen.panels[0] == "overview_kpis"


def test_windows() -> None:
    assert parse_window("in the last 2 hours", NOW).start == NOW - 2 * HOUR
    assert parse_window("today", NOW).start == MIDNIGHT
    assert parse_window("since yesterday", NOW).start == MIDNIGHT - timedelta(days=1)
    assert parse_window("past week", NOW).start == NOW - timedelta(days=7)
    assert parse_window("no window here", NOW) is None


def test_tool_set_is_small_whatever_the_catalog(tools) -> None:
    assert len(tools) <= MAX_TOOLS
    assert {"search_panels", "run_panel", "health", "table_schema", "run_sql", "explain", "kill_query"} <= set(tools)


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
    arguments = {"search_panels": {"question": "slow queries"}, "run_panel": {"name": "disks"},
                 "table_schema": {"table": "events"}, "run_sql": {"sql": "SELECT 1"}, "explain": {"sql": "SELECT 1"}}
    for name, tool in tools.items():
        if tool.kind == "control":
            run = run_tool(conn, tool, {p: "x" for p in tool.accepts if p != "host"})
            assert run.pending and run.frame is None, name
            continue
        run = run_tool(conn, tool, arguments.get(name, {}), now=datetime.now(UTC))
        assert not run.error and run.row_count > 0, (name, run.error)


def test_every_searchable_panel_runs_through_run_panel(conn, tools, shop) -> None:
    failures = {}
    for panel in (p for p in PANELS.values() if p.phrases):
        run = run_tool(conn, tools["run_panel"], {"name": panel.name}, now=datetime.now(UTC))
        if run.error and run.error_name not in UNAVAILABLE | set(panel.acceptable_errors):
            failures[panel.name] = run.error
        assert run.link.startswith("/"), panel.name
    assert failures == {}


def test_panel_tools_return_real_rows(conn, tools, shop) -> None:
    run = run_tool(conn, tools["run_panel"], {"name": "tables", "arguments": {"database": "shop"}})
    assert set(run.frame["table"]) == {"events", "orders"}
    assert int(run.frame.loc[run.frame["table"] == "events", "rows"].iloc[0]) == 5010
    assert run.link == "/tables?database=shop"
    schema = run_tool(conn, tools["table_schema"], {"table": "shop.events"})
    assert list(schema.frame["name"]) == ["id", "kind"]
    assert schema.link == "/table-detail?database=shop&table=events"


def test_links_carry_window_and_parameters(conn, tools) -> None:
    now = datetime.now(UTC)
    run = run_tool(conn, tools["run_panel"], {"name": "queries_slow", "host": "ch2", "arguments": {
        "user": "bob", "limit": 10, "start": (now - 6 * HOUR).isoformat()}}, now=now, hosts={"ch2": lambda: conn})
    assert not run.error
    assert run.link == "/queries-slow?user=bob&limit=10&range=6h&host=ch2"
    assert page_link("health_disk_used") == "/health"
    assert page_link("server_info") == "/"


def test_summary_uses_only_numbers_from_the_rows_with_units(conn, tools, shop) -> None:
    run = run_tool(conn, tools["run_panel"], {"name": "tables", "arguments": {"database": "shop"}})
    text = summarize(PANELS["tables"], run)
    assert text.startswith("2 tables. First: **shop / events**")
    assert "5,010" in text
    assert "KiB" in text or "MiB" in text or " B" in text
    empty = run_tool(conn, tools["run_panel"], {"name": "merges_running",
                                                "arguments": {"database": "shop", "table": "nope"}})
    assert summarize(PANELS["merges_running"], empty) == "Running merges: no rows right now."


def test_durations_and_sizes_read_as_people_read_them() -> None:
    from assistant.builtin import _fmt

    assert _fmt("query_duration_ms", 850) == "850 ms"
    assert _fmt("query_duration_ms", 12_500) == "12.50 s"
    assert _fmt("memory_usage", 3 * 1024 ** 3) == "3.00 GiB"
    assert _fmt("read_bytes", 5 * 1024 ** 2) == "5.00 MiB"
    assert _fmt("elapsed_s", 600) == "10.0 min"


def test_health_leads_with_critical_and_warning(conn, tools, shop) -> None:
    turn = Turn()
    text = "".join(e for e in BuiltinAssistant(conn, tools).respond("Is the server healthy?", [], turn)
                   if isinstance(e, str))
    frame = run_tool(conn, tools["health"], {}).frame
    assert len(frame) == sum(1 for p in PANELS.values() if p.check)
    statuses = list(frame["status"])
    order = {"critical": 0, "warning": 1, "ok": 2, "no data": 3, "n/a": 4}
    assert statuses == sorted(statuses, key=order.get)
    flagged = frame[frame["status"].isin(["critical", "warning"])]
    if flagged.empty:
        assert text.startswith("No critical or warning findings")
    else:
        assert text.startswith(f"{len(flagged)} of {len(frame)} checks need attention")
        assert flagged.iloc[0]["title"] in text.splitlines()[1]
    assert "[Open the Health page](/health)" in text


def test_assistant_answers_and_records_the_turn(conn, tools, shop) -> None:
    turn = Turn()
    events = list(BuiltinAssistant(conn, tools).respond("columns of table shop.events", [], turn))
    assert [m.role for m in turn.messages] == ["tool", "assistant"]
    assert turn.messages[0].metadata["rows"] == 2
    assert events[-1].startswith("2 columns. First: **id**")
    assert "(/table-detail?database=shop&table=events)" in events[-1]
    unknown = Turn()
    text = "".join(e for e in BuiltinAssistant(conn, tools).respond("sing a song", [], unknown) if isinstance(e, str))
    assert "no panel that answers" in text and text.count("](/") == 3


def test_control_actions_off_by_default(conn, settings, shop) -> None:
    tools = build_tools(settings)
    assert "kill_query" not in tools
    turn = Turn()
    text = "".join(e for e in BuiltinAssistant(conn, tools).respond("kill query abc", [], turn) if isinstance(e, str))
    assert "CHM_ENABLE_CONTROL_ACTIONS" in text


def test_guard_refusal_is_reported_not_raised(conn, tools) -> None:
    run = run_tool(conn, tools["run_sql"], {"sql": "SELECT * FROM url('http://example.com/x', CSV, 'a Int')"})
    assert run.error_name == "READONLY_GUARD" and "url()" in run.error


def test_all_hosts_adds_a_host_column(conn, tools) -> None:
    hosts = {"a": lambda: conn, "b": lambda: conn}
    run = run_tool(conn, tools["run_panel"], {"name": "disks", "host": "all"}, hosts=hosts)
    assert list(run.frame["host"].unique()) == ["a", "b"] and run.frame.columns[0] == "host"
    unknown = run_tool(conn, tools["run_sql"], {"sql": "SELECT 1", "host": "nope"}, hosts=hosts)
    assert "no host named 'nope'" in unknown.error


def test_confirmed_control_action_runs_on_the_asked_host(conn, tools, shop) -> None:
    hosts = {"ch2": lambda: conn}
    pending = run_tool(conn, tools["optimize_table"], {"database": "shop", "table": "orders", "host": "ch2"},
                       hosts=hosts)
    assert pending.pending and pending.arguments["host"] == "ch2"
    done = run_tool(conn, tools["optimize_table"], pending.arguments, confirmed=True, hosts=hosts)
    assert not done.error and list(done.frame["result"]) == ["optimize_table sent"]
    refused = run_tool(conn, tools["optimize_table"], {**pending.arguments, "host": "all"}, confirmed=True,
                       hosts=hosts)
    assert "a control action runs on one host" in refused.error


def test_words_that_only_start_like_sql_are_read_as_a_question(conn, tools) -> None:
    turn = Turn()
    list(BuiltinAssistant(conn, tools).respond("select the slowest queries please", [], turn))
    assert [(m.name, m.metadata.get("panel")) for m in turn.messages] == [("run_panel", "queries_slow"), ("", None)]
    turn = Turn()
    list(BuiltinAssistant(conn, tools).respond("show tables that are biggest in database system", [], turn))
    assert turn.messages[0].metadata["params"]["include_system"] == 1
    assert turn.messages[0].metadata["rows"] > 0
