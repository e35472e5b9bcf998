"""A read-only monitoring user (readonly=1, readonly=2): every panel and assistant tool returns rows or a
"not available" note, every page renders without an error box, Home and the sidebar say what applies."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from core.connection import Connection, ServerInfo
from dashboard.catalog import PANELS
from dashboard.panels import control_refusal

SCRIPT = Path(__file__).resolve().parent / "readonly_app.py"


@pytest.fixture(scope="module", params=["1", "2"])
def sweep(request: pytest.FixtureRequest) -> dict:
    done = subprocess.run([sys.executable, str(SCRIPT), request.param], capture_output=True, text=True, timeout=600,
                          check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    report["mode"] = int(request.param)
    return report


def test_the_session_is_read_only(sweep: dict) -> None:
    assert sweep["readonly"] == sweep["mode"]


def test_every_panel_returns_rows_or_a_note(sweep: dict) -> None:
    outcome = sweep["panels"]
    assert set(outcome) == set(PANELS)
    failed = {name: what for name, what in outcome.items() if what.startswith("failed")}
    assert failed == {}
    assert sum(what == "rows" for what in outcome.values()) >= len(PANELS) // 2, outcome


def test_every_assistant_panel_tool_returns_rows_or_a_note(sweep: dict) -> None:
    failed = {name: what for name, what in sweep["tools"].items() if what.startswith("failed")}
    assert sweep["tools"] and failed == {}


def test_every_page_renders_without_an_error(sweep: dict) -> None:
    assert sweep["problems"] == {}


def test_home_and_sidebar_say_the_user_is_read_only(sweep: dict) -> None:
    mode = sweep["mode"]
    assert f"read-only (readonly={mode})" in sweep["home"]
    assert f"Read-only user `default` (readonly={mode})" in sweep["home"]
    if mode == 1:
        assert "sends no per-query settings" in sweep["home"] and "profile" in sweep["home"]


def test_query_settings_follow_the_read_only_level() -> None:
    wanted = {"max_execution_time": 5, "log_comment": "x", "readonly": 1}
    assert ServerInfo("26.9", "u", 1).applies(wanted) == {}
    assert ServerInfo("26.9", "u", 2, fixed=frozenset({"readonly"})).applies(wanted) == {
        "max_execution_time": 5, "log_comment": "x"}
    assert ServerInfo("26.9", "u", 0).applies(wanted) == wanted
    assert ServerInfo("26.9", "u", 0, fixed=frozenset({"max_execution_time"})).applies(wanted) == {
        "log_comment": "x", "readonly": 1}
    with pytest.raises(Exception, match="additional_table_filters"):
        ServerInfo("26.9", "u", 1).applies({"additional_table_filters": {"t": "1"}})


def test_control_actions_are_refused_with_the_reason_for_a_read_only_user() -> None:
    assert "read-only (readonly=1)" in control_refusal(ServerInfo("24.8.4", "monitor", 1))
    assert control_refusal(ServerInfo("24.8.4", "admin", 0)) == ""


def test_chat_answers_and_marks_the_turn_not_saved_with_the_reason(sweep: dict) -> None:
    chat = sweep["chat"]
    assert chat["errors"] == []
    assert chat["frames"] >= 1 or any("biggest" in a.lower() or "table" in a.lower() for a in chat["answers"][1:])
    unsaved = [c for c in chat["captions"] if "not saved" in c]
    assert unsaved and "read-only profile" in unsaved[0] and "CLICKHOUSE_AGENT_CONVERSATIONS_USER" in unsaved[0]


def test_the_assistant_offers_no_control_tools_to_a_read_only_user(settings) -> None:  # noqa: ANN001
    from assistant.tools import build_tools

    enabled = settings.model_copy(update={"app": settings.app.model_copy(update={"enable_control_actions": True})})
    assert any(t.kind == "control" for t in build_tools(enabled).values())
    assert not any(t.kind == "control" for t in build_tools(enabled, control_actions=False).values())


def test_commands_and_inserts_carry_the_time_limit_the_session_may_send(conn: Connection) -> None:
    """`command` and `insert` send `max_execution_time` like queries do, and only where the session may send it."""
    conn.command("CREATE TABLE IF NOT EXISTS chm_test.time_limit (x UInt8) ENGINE = Memory")
    sent = {}
    for level, server in (("writer", ServerInfo("26.9", "u", 0)),
                          ("fixed", ServerInfo("26.9", "u", 0, fixed=frozenset({"max_execution_time"})))):
        limited = Connection("limited", conn.client, embedded=True, max_execution_time=37, _server=server)
        tag = f"chm-time-limit-{uuid.uuid4().hex[:8]}"
        limited.command("SELECT 1", settings={"log_comment": tag})
        limited.insert("chm_test.time_limit", [[1]], ["x"], settings={"log_comment": tag}, column_types=["UInt8"])
        conn.command("SYSTEM FLUSH LOGS")
        rows = conn.query_rows(
            "SELECT query_kind, Settings['max_execution_time'] FROM merge('system', '^query_log') "
            "WHERE log_comment = {tag:String} AND type = 'QueryFinish' AND query_kind IN ('Insert', 'Select')",
            {"tag": tag}, settings={"log_comment": "chm-test-reader"},
        )
        sent[level] = sorted(rows)
    assert sent["writer"] == [("Insert", "37"), ("Select", "37")]
    assert sent["fixed"] == [("Insert", ""), ("Select", "")]  # the server's profile keeps its own value
