"""The app as a read-only monitoring user sees it, in a process of its own (one engine per process and mode).

    python tests/readonly_app.py 1|2

Opens a fresh embedded engine whose sessions have `readonly=N` (`CHM_EMBEDDED_READONLY`), makes real activity through
the engine's own session, then runs every panel through the renderer, every assistant panel tool, and every page
under AppTest, and prints one JSON object with what each returned.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _environment(mode: str) -> None:
    for name in list(os.environ):
        if name.startswith(("CLICKHOUSE_", "AGENT_CONVERSATION", "CHM_", "LLM_", "AGENTSTATE_")):
            del os.environ[name]
    os.environ.update(CHM_DATA_DIR=tempfile.mkdtemp(prefix="chm-readonly-"), CHM_EMBEDDED_READONLY=mode,
                      CHM_ENV="test", AGENT_CONVERSATION_PERSISTENCE="true", AGENT_CONVERSATION_STORE="clickhouse")
    sys.path.insert(0, str(ROOT))


def _activity(engine: object) -> None:
    """Real load made as the engine's owner (the monitoring user itself may not write)."""
    engine.command("CREATE DATABASE IF NOT EXISTS ro_activity")
    engine.command("CREATE TABLE IF NOT EXISTS ro_activity.events (id UInt64, name String) ENGINE = MergeTree ORDER BY id")
    for batch in range(3):
        engine.insert("events", [[batch * 10 + i, f"n{i}"] for i in range(10)], column_names=["id", "name"],
                      database="ro_activity")
    engine.query("SELECT name, count() FROM ro_activity.events GROUP BY name")
    engine.command("SYSTEM FLUSH LOGS")


def _panels() -> dict[str, str]:
    from core.errors import ChmError
    from dashboard import render
    from dashboard.catalog import PANELS

    end = datetime.now(UTC).replace(tzinfo=None) + timedelta(seconds=1)
    start = end - timedelta(hours=1)
    outcome: dict[str, str] = {}
    for name, panel in PANELS.items():
        try:
            result = render.call_cached(render._runner(panel.ttl), 0, name, (), start, end, True, None)
        except ChmError as exc:
            outcome[name] = f"failed: {getattr(exc, 'name', None)}: {str(exc)[:200]}"
            continue
        if isinstance(result, render.Missing):
            outcome[name] = "not available"
        else:
            outcome[name] = "rows" if not result.frame.empty else "no rows"
    return outcome


def _tools(conn: object) -> dict[str, str]:
    from assistant.tools import build_tools, run_tool
    from dashboard.catalog import PANELS

    outcome: dict[str, str] = {}
    tools = build_tools()
    calls = {"health": (tools["health"], {}), "table_schema": (tools["table_schema"], {"table": "system.one"}),
             "search_panels": (tools["search_panels"], {"question": "slow queries"}),
             **{name: (tools["run_panel"], {"name": name}) for name, panel in PANELS.items() if panel.phrases}}
    for name, (tool, arguments) in calls.items():
        run = run_tool(conn, tool, arguments)
        if run.error_name in (None, ""):
            outcome[name] = "rows" if run.frame is not None and not run.frame.empty else "no rows"
        elif run.error_name in ("UNKNOWN_TABLE", "CANNOT_EXTRACT_TABLE_STRUCTURE", "NO_ELEMENTS_IN_CONFIG",
                                "ACCESS_DENIED", "UNKNOWN_DATABASE", "CLUSTER_DOESNT_EXIST"):
            outcome[name] = "not available"
        else:
            outcome[name] = f"failed: {run.error_name}: {run.error[:200]}"
    return outcome


def _pages() -> dict[str, object]:
    from dashboard.frame import NAVIGATION
    from tests import apptest

    at = apptest.app(timeout=60)
    at.run()
    home = "\n".join([*(m.value for m in at.markdown), *(c.value for c in at.caption), *(c.value for c in at.sidebar.caption)])
    problems: dict[str, list[str]] = {}
    for script in (item.script for items in NAVIGATION.values() for item in items):
        apptest.open_page(at, script)
        at.run()
        found = [e.value for e in at.error] + [e.message for e in at.exception]
        if found:
            problems[script] = found
    apptest.open_page(at, "pages/chat.py")
    at.run()
    at.chat_input(key="chat_input").set_value("what are the biggest tables?").run()
    chat = {
        "errors": [e.value for e in at.error] + [e.message for e in at.exception],
        "captions": [c.value for c in at.caption],
        "answers": [m.value for m in at.markdown],
        "frames": len(at.dataframe),
    }
    return {"home": home, "problems": problems, "chat": chat}


def main() -> None:
    """Run the sweep for the mode given on the command line and print JSON."""
    mode = sys.argv[1]
    _environment(mode)
    from config import load_settings
    from core.connection import connect

    conn = connect(load_settings())
    _activity(conn.client.engine)
    report = {"readonly": conn.server.readonly, "panels": _panels(), "tools": _tools(conn), **_pages()}
    print(json.dumps(report))


if __name__ == "__main__":
    main()
