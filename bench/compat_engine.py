"""Runs a compatibility plan on the chdb engine of the Python that runs it; reads the plan on stdin, prints JSON.

Needs only the standard library and `chdb`, so it runs in the per-version venvs of `bench/compat.py`, where neither
the project nor clickhouse-connect is installed. Parameters go through the engine itself: `SET param_x = '…'` and
the statement are sent as one multi-statement query, which every chdb from 2.1 on binds as `{x:Type}`.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
import time

import chdb
from chdb import session

# Errors meaning "this engine has no such table, log or feature": the app shows them as a note, never as a failure.
MISSING_NAMES = frozenset({
    "UNKNOWN_TABLE", "UNKNOWN_DATABASE", "CANNOT_EXTRACT_TABLE_STRUCTURE", "NO_ELEMENTS_IN_CONFIG", "ACCESS_DENIED",
    "SUPPORT_IS_DISABLED", "UNKNOWN_STORAGE", "NOT_IMPLEMENTED", "CLUSTER_DOESNT_EXIST",
})
# 24.8 and older raise this from merge('system', '^…_log') when no such log exists (later ones raise the one above).
LOG_MISSING_NAMES = frozenset({"BAD_ARGUMENTS"})
# chdb raises one exception type carrying the server's text only; its standard tail "… (NAME)" is the error name.
_ERROR_NAME = re.compile(r"\(([A-Z][A-Z0-9_]+)\)\s*$")


def literal(value: str) -> str:
    """A single-quoted SQL string literal of a parameter's text form."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def error_name(exc: BaseException) -> str:
    """The server's error name at the end of a chdb error message (`UNKNOWN_TABLE`), or the exception's type."""
    text = str(exc).split("Stack trace", 1)[0].strip()
    found = _ERROR_NAME.search(text)
    return found.group(1) if found else type(exc).__name__


def run(plan: dict) -> dict:
    """Run every statement of the plan in one fresh engine and classify it: ok / not available / incompatible."""
    path = tempfile.mkdtemp(prefix="chm-compat-")
    if plan.get("config"):
        path += "?config-file=" + plan["config"] + "&log-level=information"  # the app's level (core/connection.py)
    engine = session.Session(path)
    for setup in plan.get("setup", ()):
        engine.query(setup)
    results = []
    started = time.monotonic()
    for item in plan["statements"]:
        entry = {"name": item["name"], "sql": item["sql"]}
        if item.get("skip"):
            entry.update(status="not available", reason=item["skip"])
            results.append(entry)
            continue
        sets = "".join(f"SET param_{name} = {literal(value)};\n" for name, value in item["params"].items())
        try:
            engine.query(sets + item["text"], "JSONCompact")
        except Exception as exc:  # chdb's error type differs across versions; the name decides
            name = error_name(exc)
            missing = name in MISSING_NAMES or (item.get("log") and name in LOG_MISSING_NAMES)
            entry.update(status="not available" if missing else "incompatible", error=name,
                         message=str(exc).split("Stack trace", 1)[0].strip()[:400])
        else:
            entry["status"] = "ok"
        results.append(entry)
    counts: dict[str, int] = {}
    for entry in results:
        counts[entry["status"]] = counts.get(entry["status"], 0) + 1
    version = str(engine.query("SELECT version()", "TabSeparated")).strip()
    return {"chdb": chdb.__version__, "clickhouse": version, "counts": counts,
            "seconds": round(time.monotonic() - started, 2), "statements": results}


if __name__ == "__main__":
    json.dump(run(json.load(sys.stdin)), sys.stdout)
