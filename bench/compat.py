"""Compatibility run: every shipped ClickHouse statement on real engines of the versions we support; prints JSON.

    python bench/compat.py                 # 24.8, 25.8, 26.3 (older chdb wheels) and 26.9 (the project's engine)
    python bench/compat.py --only 26.9     # the project's engine alone (no venv to build)

Each older engine lives in its own venv under `.compat/<version>/` (built once, then reused): they cannot share the
project's venv, and clickhouse-connect does not drive them, so `bench/compat_engine.py` runs there on chdb alone.
Every statement runs with the SQL file the app would pick for that version (`Panel.sql_for`); a panel whose
`min_version` is above the engine is reported as not available, like the note the app shows. The exit status is 1
when any statement is incompatible.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core import sqlfiles  # noqa: E402
from core.connection import ENGINE_CONFIG  # noqa: E402
from dashboard.catalog import ACTIONS, PANELS  # noqa: E402
from dashboard.panels import Panel, sql_params, version_text  # noqa: E402
from history.console import templates, wrap  # noqa: E402

CACHE = ROOT / ".compat"
ENGINE_SCRIPT = Path(__file__).resolve().parent / "compat_engine.py"
# The older engines: ClickHouse version → the pip requirements of its venv.
OLD_ENGINES: dict[str, tuple[str, ...]] = {
    "24.8": ("chdb==2.1.1",),
    "25.8": ("chdb==3.7.2",),
    "26.3": ("chdb==4.1.0", "chdb-core==26.3.0"),
}
# SQL areas that are not ClickHouse (SQLite for D1, PostgreSQL) or only seed the benchmarks.
OTHER_AREAS = ("d1/", "postgres/", "bench/")
# Statements that need a state a fresh engine lacks: said why, not run.
NEEDS_STATE = {
    "store/migrate_rename": "moves the old two-table layout aside; a fresh engine has none",
    "store/migrate_threads": "copies the old two-table layout; a fresh engine has none",
    "store/migrate_messages": "copies the old two-table layout; a fresh engine has none",
    "store/create_table_cluster": "needs a cluster, which no embedded engine has (the suite parses it with the "
                                  "cluster bound in: tests/test_store_clickhouse.py)",
}
STORE_DB, STORE_TABLE = "compat", "conversations"
# Values of parameters that belong to no panel, by name (the store's, history's, the connection probe's).
VALUES: dict[str, Any] = {
    "db": STORE_DB, "table": STORE_TABLE, "old": "conversations_old", "database": STORE_DB, "user_id": "u1",
    "thread_id": "t1", "thread_ids": ["t1", "t2"], "ids": ["m1"], "limit": 20, "text": "hello", "all_users": True,
    "before_ts": "2026-01-01 00:00:00.000", "before_id": "t9", "before_user": "u9", "model": "", "tool": "",
    "has_errors": False, "days": 30, "cluster": "default", "names": ["max_execution_time", "readonly"],
    "query_id": "compat-no-such-query", "mutation_id": "compat-no-such-mutation", "statement": "SELECT 1",
}
ALERT_TABLE = "alerts"
"""The alert table's statements read `{table:Identifier}` as the alert table, created first like the store's."""
APP_ENGINE_ONLY = {"demo/": "the demo workload runs only on the app's own embedded engine (tests/test_demo.py runs it)"}
PARSER = ("guard/parse",)
PARSER_SINCE = (26, 9)
"""Users' SQL is parsed by the engine's parseQueryToJSON; a server without it has the app's own engine parse it
(`core.guard.parse`, tested against 24.8 in tests/test_old_server.py)."""


def text_value(value: Any) -> str:
    """A parameter value in the text form `SET param_x = '…'` takes."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, (list, tuple)):
        return "[" + ",".join("'" + str(item).replace("\\", "\\\\").replace("'", "\\'") + "'" for item in value) + "]"
    return str(value)


def _generic(sql: str, start: datetime, end: datetime, **extra: Any) -> dict[str, str]:
    values = {"start": start, "end": end, "step": 60, "hide_own": 1, "tag": "chmonitor", "since": start, "now": end,
              **VALUES, **extra}
    return {name: text_value(values[name]) for name in sqlfiles.placeholders(sql) if name in values}


def _statement(name: str, sql_name: str, text: str, params: dict[str, str], **extra: Any) -> dict[str, Any]:
    return {"name": name, "sql": sql_name, "text": text, "params": params,
            "log": "merge('system'" in text, **extra}


def plan(version: tuple[int, ...]) -> list[dict[str, Any]]:
    """Every shipped statement as the app would send it to a server of `version`, with parameter values."""
    end = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    start = end - timedelta(hours=1)
    statements = [_statement(name, name, sqlfiles.load(name), _generic(sqlfiles.load(name), start, end, **extra))
                  for name, extra in (("store/create_table", {}), ("alerts/create_table", {"table": ALERT_TABLE}))]
    covered = {"store/create_table", "alerts/create_table"}
    panels: list[tuple[str, Panel]] = [("panel " + n, p) for n, p in PANELS.items()]
    for label, panel in panels:
        covered.update(panel.sql_files)
        if not panel.runs_on(version):
            statements.append({"name": label, "sql": panel.sql, "text": "", "params": {},
                               "skip": f"needs ClickHouse ≥ {version_text(panel.min_version)}"})
            continue
        for sql_name in (panel.sql_for(version), *((panel.cluster_sql,) if panel.cluster_sql else ())):
            values = {"cluster": "default"} if sql_name == panel.cluster_sql else {}
            params = sql_params(sql_name, panel, values, start=start, end=end)
            statements.append(_statement(label, sql_name, sqlfiles.load(sql_name),
                                         {k: text_value(v) for k, v in params.items()}))
    for name, action in ACTIONS.items():
        covered.add(action.sql)
        params = {k: text_value(VALUES[k] if v == "" else v) for k, v in sql_params(action.sql, action, {}).items()}
        statements.append(_statement("action " + name, action.sql, sqlfiles.load(action.sql), params))
    for template in templates():
        text = wrap(template.sql)
        statements.append(_statement("console " + template.title, "history/console_scope", text,
                                     _generic(text, start, end)))
    covered.add("history/console_scope")
    for sql_name in sqlfiles.all_names():
        if sql_name in covered or sql_name.startswith(OTHER_AREAS) or sql_name.startswith("history/console/"):
            continue
        text = sqlfiles.load(sql_name)
        area = next((reason for prefix, reason in APP_ENGINE_ONLY.items() if sql_name.startswith(prefix)), None)
        if area:
            statements.append({"name": sql_name, "sql": sql_name, "text": "", "params": {}, "skip": area})
            continue
        if sql_name in PARSER and version < PARSER_SINCE:
            statements.append({"name": sql_name, "sql": sql_name, "text": "", "params": {},
                               "skip": "parseQueryToJSON is missing up to 26.3 (seen here on 26.9): the app's own "
                                       "engine parses typed SQL for older servers"})
            continue
        if sql_name.startswith("alerts/"):
            statements.append(_statement(sql_name, sql_name, text, _generic(text, start, end, table=ALERT_TABLE)))
            continue
        if sql_name in NEEDS_STATE:
            statements.append({"name": sql_name, "sql": sql_name, "text": "", "params": {},
                               "skip": NEEDS_STATE[sql_name]})
            continue
        statements.append(_statement(sql_name, sql_name, text, _generic(text, start, end)))
    return statements


def _venv(version: str) -> Path:
    """The venv of an older engine, built on first use (a marker file says it is complete)."""
    home = CACHE / version
    python = home / "bin" / "python"
    marker = home / ".installed"
    wanted = " ".join(OLD_ENGINES[version])
    if not marker.is_file() or marker.read_text() != wanted:
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(home)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", *OLD_ENGINES[version]], check=True)
        marker.write_text(wanted)
    return python


def run_version(version: str) -> dict[str, Any]:
    """Run the plan for one engine version and return its report (with the seconds spent building its venv)."""
    began = time.monotonic()
    if version in OLD_ENGINES:
        python, config = _venv(version), ""
    else:
        python, config = Path(sys.executable), str(ENGINE_CONFIG)
    built = time.monotonic() - began
    numbers = tuple(int(part) for part in version.split("."))
    setup = [f"CREATE DATABASE IF NOT EXISTS {STORE_DB}"]
    if config:
        setup.append("SYSTEM FLUSH LOGS")
    request = {"config": config, "setup": setup, "statements": plan(numbers)}
    done = subprocess.run([str(python), str(ENGINE_SCRIPT)], input=json.dumps(request), capture_output=True,
                          text=True, check=False, timeout=600)
    if done.returncode:
        raise RuntimeError(f"ClickHouse {version}: {done.stderr[-2000:]}")
    report = json.loads(done.stdout)
    if tuple(int(p) for p in report["clickhouse"].split(".")[:2]) != numbers:
        raise RuntimeError(f"expected ClickHouse {version}, the engine runs {report['clickhouse']}")
    report["venv_seconds"] = round(built, 2)
    report["total_seconds"] = round(time.monotonic() - began, 2)
    return report


def project_version() -> str:
    """The ClickHouse version (major.minor) of the project's own engine, from the installed chdb-core."""
    return ".".join(metadata.version("chdb-core").split(".")[:2])


def main() -> int:
    """Run the chosen versions, print one JSON object keyed by version; exit 1 if any statement is incompatible."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", help="run only this version (repeatable), e.g. 24.8")
    parser.add_argument("--verbose", action="store_true", help="list every statement, not only the failing ones")
    args = parser.parse_args()
    versions = args.only or [*OLD_ENGINES, project_version()]
    began = time.monotonic()
    output: dict[str, Any] = {}
    for version in versions:
        report = run_version(version)
        if not args.verbose:
            report["statements"] = [s for s in report["statements"] if s["status"] != "ok"]
        output[version] = report
    output["seconds"] = round(time.monotonic() - began, 2)
    json.dump(output, sys.stdout, indent=1)
    print()
    return 1 if any(r["counts"].get("incompatible") for k, r in output.items() if k != "seconds") else 0


if __name__ == "__main__":
    sys.exit(main())
