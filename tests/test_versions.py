"""Older servers: panels pick the SQL of the server's version, a version gap or a missing grant is a note (never a
red error), and every shipped statement runs on real engines of each supported version (`bench/compat.py`)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid
from importlib import metadata
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.connection import Connection
from dashboard.catalog import PANELS
from dashboard.panels import NEEDS_NEWER, Panel, Param
from dashboard.render import OLD_LOG_GAP_NAMES, VERSION_GAP_NAMES, Missing, is_version_gap, unavailable_note

ROOT = Path(__file__).resolve().parent.parent
# The columns 24.8 lacks, by panel: each such panel declares a variant without them for servers before 25.8.
GAPS_24_8 = {
    "errors": "query_id", "query_cache": "query_id", "dictionaries": "error_count",
    "mutations": "latest_fail_error_code_name", "readonly_replicas": "readonly_start_time",
    "merge_tree_settings": "default",
}
# crash_log gained `query` and `signal_description` in 26.2 (its 26.2 changelog): older servers read the rest.
GAPS_26_1 = {"crash_log": "signal_description"}


def _render(name: str) -> AppTest:
    """Draw one panel through the renderer, headless, on the session's engine."""

    def script(panel_name: str) -> None:
        from dashboard.render import render_panel

        render_panel(panel_name)

    at = AppTest.from_function(script, args=(name,), default_timeout=60)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _registered(monkeypatch: pytest.MonkeyPatch, **fields: object) -> str:
    """Add a panel to the catalog for this test (under a fresh name, so no cached result is shared)."""
    name = f"test_{uuid.uuid4().hex[:8]}"
    monkeypatch.setitem(PANELS, name, Panel(name=name, title=f"Panel {name}", description="test panel", **fields))
    return name


def _body(sql_name: str) -> str:
    lines = (ROOT / "sql" / f"{sql_name}.sql").read_text().splitlines()
    return "\n".join(line for line in lines if not line.startswith("--"))


@pytest.mark.parametrize("name", sorted(GAPS_24_8))
def test_24_8_gets_the_variant_without_the_missing_column(name: str) -> None:
    panel = PANELS[name]
    old, new = panel.sql_for((24, 8, 4, 1)), panel.sql_for((25, 8, 2, 1))
    assert new == panel.sql == panel.sql_for((26, 9)) and old != new
    column = re.compile(rf"\b{GAPS_24_8[name]}\b")
    assert column.search(_body(new)) and not column.search(_body(old))


@pytest.mark.parametrize("name", sorted(GAPS_26_1))
def test_26_1_gets_the_variant_without_the_newer_log_columns(name: str) -> None:
    panel = PANELS[name]
    old, new = panel.sql_for((26, 1, 9)), panel.sql_for((26, 2))
    assert panel.sql_for((24, 8)) == panel.sql_for((25, 8)) == old != new == panel.sql
    column = re.compile(rf"\b{GAPS_26_1[name]}\b")
    assert column.search(_body(new)) and not column.search(_body(old))


def test_min_version_is_compared_by_parts() -> None:
    panel = Panel(name="p", title="P", sql="dashboard/logs/errors", description="", min_version=(25, 8))
    assert not panel.runs_on((24, 8, 4, 1)) and not panel.runs_on((25, 7, 9))
    assert panel.runs_on((25, 8)) and panel.runs_on((25, 8, 0, 1)) and panel.runs_on((26, 1))


def test_missing_column_on_a_real_engine_is_a_version_note(conn: Connection, monkeypatch: pytest.MonkeyPatch) -> None:
    conn.command("CREATE TABLE IF NOT EXISTS chm_test.version_gap (x UInt8) ENGINE = ReplacingMergeTree ORDER BY x")
    name = _registered(monkeypatch, sql="store/list_users", params=(
        Param("db", "Identifier", "chm_test"), Param("table", "Identifier", "version_gap")))
    at = _render(name)
    assert not at.error, [e.value for e in at.error]
    note = at.info[0].value
    version = conn.server.version_text
    assert f"not available on this server version (ClickHouse {version})" in note
    assert "`user_id`" in note and "UNKNOWN_IDENTIFIER" in note


def test_panel_for_a_newer_server_says_which_version(conn: Connection, monkeypatch: pytest.MonkeyPatch) -> None:
    name = _registered(monkeypatch, sql="dashboard/logs/errors", min_version=(99, 1), requires="errors")
    at = _render(name)
    assert not at.error, [e.value for e in at.error]
    assert "needs ClickHouse ≥ 99.1" in at.info[0].value
    assert f"(ClickHouse {conn.server.version_text})" in at.info[0].value


def test_access_denied_names_the_grant(monkeypatch: pytest.MonkeyPatch) -> None:
    name = _registered(monkeypatch, sql="dashboard/system/users", requires="users")
    at = _render(name)
    assert not at.error, [e.value for e in at.error]
    assert "not available: needs `GRANT SELECT ON system.users" in at.info[0].value


@pytest.mark.parametrize("error", sorted(VERSION_GAP_NAMES - {NEEDS_NEWER}))
def test_each_version_gap_error_is_a_note_naming_what_is_missing(error: str) -> None:
    missing = Missing(error, f"Code: 47. DB::Exception: Unknown thing 'query_id' in scope SELECT query_id. ({error})",
                      "24.8.4.1")
    note = unavailable_note(PANELS["errors"], missing)
    assert note is not None and note.startswith("**Errors since start**: not available on this server version")
    assert "(ClickHouse 24.8.4.1)" in note and "`query_id` in `system.errors`" in note and error in note


def test_bad_arguments_is_a_gap_only_on_log_panels() -> None:
    log_panel, plain = PANELS["queries_history"], PANELS["disks"]
    assert log_panel.requires == "query_log"
    for error in OLD_LOG_GAP_NAMES:
        assert is_version_gap(log_panel, error) and not is_version_gap(plain, error)
        note = unavailable_note(log_panel, Missing(error, "Code: 36. (BAD_ARGUMENTS)", "24.8.4.1"))
        assert note is not None and "no `system.query_log` table" in note and "24.8.4.1" in note
        assert unavailable_note(plain, Missing(error, "Code: 36. (BAD_ARGUMENTS)", "24.8.4.1")) is None


def test_readme_privilege_statements_parse(conn: Connection) -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("### A monitoring user"):readme.index("## Reliability")]
    blocks = re.findall(r"```sql\n(.*?)```", section, re.DOTALL)
    statements = [part.strip() for block in blocks for part in re.sub(r"(?m)^--.*$", "", block).split(";")]
    statements = [statement for statement in statements if statement]
    assert len(statements) >= 10 and any("CHANGEABLE_IN_READONLY" in s or "readonly = 2" in s for s in statements)
    for statement in statements:
        formatted = conn.query_df("SELECT formatQuery({q:String}) AS f", {"q": statement}).iloc[0]["f"]
        assert formatted.split()[0] in ("CREATE", "GRANT"), statement


def _compat(*versions: str) -> dict:
    args = [arg for version in versions for arg in ("--only", version)]
    done = subprocess.run([sys.executable, "bench/compat.py", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=900)
    report = json.loads(done.stdout)
    incompatible = {v: [s for s in r["statements"] if s["status"] == "incompatible"]
                    for v, r in report.items() if v != "seconds"}
    assert done.returncode == 0 and not any(incompatible.values()), incompatible
    return report


def test_every_statement_runs_on_the_project_engine() -> None:
    version = ".".join(metadata.version("chdb-core").split(".")[:2])
    run = _compat(version)[version]
    assert run["clickhouse"].startswith(version + ".")
    assert run["counts"]["ok"] >= 120, run["counts"]


@pytest.mark.compat
def test_every_statement_runs_on_older_engines() -> None:
    report = _compat("24.8", "25.8", "26.3")
    for version in ("24.8", "25.8", "26.3"):
        run = report[version]
        assert run["clickhouse"].startswith(version + ".")
        assert run["counts"]["ok"] >= 80, (version, run["counts"])
