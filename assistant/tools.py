"""The assistant's tools: one per panel declaration, plus catalog browsing, `run_sql`, `explain` and control actions.

Tools are built at run time from whatever `dashboard.catalog.PANELS` holds (a new panel is a new tool), merged with
the assistant's own panels below (SQL under `sql/assistant/`). Every query runs read-only
(`Connection.query_df(readonly=True)`); users' SQL (`run_sql`, `explain`) is first parsed and checked by the engine
(`chstore.guard.check`); control tools run only when enabled and only once the user has confirmed.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import pandas as pd

from chstore import guard, sqlfiles
from chstore.connection import Connection
from chstore.errors import ChStoreError, ReadOnlyViolation, ValidationError
from chstore.model import Message, utcnow
from chstore.settings import Settings
from dashboard.panels import Panel, Param, panel_params

ToolKind = Literal["panel", "run_sql", "explain", "control"]
RESULT_ROWS_KEPT = 200
"""Rows of a tool result kept in the conversation (the table shown on reload, the context an LLM sees)."""

_LIMIT = Param("limit", "UInt32", 20, "How many rows to return at most.")
_DATABASE = Param("database", "String", "", "Database name; empty means every database.")
_TABLE = Param("table", "String", "", "Table name (without database); empty means every table.")
_USER = Param("user", "String", "", "ClickHouse user name; empty means every user.")

ASSISTANT_PANELS: dict[str, Panel] = {
    panel.name: panel
    for panel in (
        Panel("list_databases", "Databases", "assistant/list_databases",
              "List the databases of the server with their engine and number of tables."),
        Panel("list_tables", "Tables", "assistant/list_tables",
              "List tables (optionally of one database, optionally whose name contains a text) with rows and size.",
              params=(_DATABASE, Param("name_like", "String", "", "Text the table name must contain."),
                      Param("limit", "UInt32", 200, "How many rows to return at most."))),
        Panel("find_table", "Find table", "assistant/find_table",
              "Find which database(s) hold a table of the given name.",
              params=(Param("table", "String", "", "Table name to look for."),)),
        Panel("table_schema", "Table schema", "assistant/table_schema",
              "Columns of one table: type, default, codec, primary-key membership, comment.",
              params=(Param("database", "String", "default", "Database of the table."),
                      Param("table", "String", "", "Table name."))),
        Panel("running_queries", "Running queries", "assistant/running_queries",
              "Queries running right now, longest first (optionally of one user).",
              params=(_USER, Param("limit", "UInt32", 50, "How many rows to return at most."))),
        Panel("slow_queries", "Slowest queries", "assistant/slow_queries",
              "Finished queries that took longest in a time window (optionally of one user or touching one table, "
              "given as `db.table`).",
              params=(_USER, Param("table", "String", "", "Only queries reading this `db.table`."), _LIMIT)),
        Panel("failed_queries", "Failed queries", "assistant/failed_queries",
              "Queries that failed in a time window with their error (optionally of one user).",
              params=(_USER, _LIMIT)),
        Panel("query_volume", "Query volume", "assistant/query_volume",
              "Number of queries and failed queries per time bucket over a window (optionally of one user).",
              kind="line", x="t", y=("queries", "failed"), params=(_USER,)),
        Panel("top_users", "Top users", "assistant/top_users",
              "Users ranked by number of queries in a window, with failures and total duration.",
              kind="bar", x="user", y=("queries",), params=(_LIMIT,)),
        Panel("biggest_tables", "Biggest tables", "assistant/biggest_tables",
              "Tables ranked by size on disk (optionally within one database).",
              kind="bar", x="table", y=("disk_bytes",), params=(_DATABASE, _LIMIT)),
        Panel("parts_per_table", "Parts per table", "assistant/parts_per_table",
              "Tables ranked by number of active parts (optionally within one database).",
              kind="bar", x="table", y=("active_parts",), params=(_DATABASE, _LIMIT)),
        Panel("disk_space", "Disk space", "assistant/disk_space",
              "Free and total space of each disk, and percent used."),
        Panel("replication_status", "Replication status", "assistant/replication_status",
              "Health of replicated tables: read-only, session expired, queue size, delay, active replicas.",
              params=(_DATABASE, _TABLE), requires="replicas"),
        Panel("running_merges", "Running merges", "assistant/merges",
              "Merges running right now (optionally of one database or table): progress, elapsed, size.",
              params=(_DATABASE, _TABLE)),
        Panel("unfinished_mutations", "Unfinished mutations", "assistant/mutations",
              "Mutations that are not done (optionally of one database or table), with failure reasons.",
              params=(_DATABASE, _TABLE)),
        Panel("server_errors", "Server error counters", "assistant/server_errors",
              "Errors the server counted since start (system.errors), most frequent first.",
              kind="bar", x="error", y=("count",), params=(_LIMIT,)),
    )
}

EXPLAIN_KINDS = {
    "PLAN": "PLAN",
    "INDEXES": "PLAN indexes = 1",
    "PIPELINE": "PIPELINE",
    "SYNTAX": "SYNTAX",
    "ESTIMATE": "ESTIMATE",
}

CONTROL_PANELS: dict[str, Panel] = {
    panel.name: panel
    for panel in (
        Panel("kill_query", "Kill query", "control/kill_query",
              "Stop a running query by its query_id (asks the user to confirm first).",
              params=(Param("query_id", "String", "", "The query_id to stop."),)),
        Panel("kill_mutation", "Kill mutation", "control/kill_mutation",
              "Stop an unfinished mutation (asks the user to confirm first).",
              params=(Param("database", "String", "", "Database of the table."),
                      Param("table", "String", "", "Table name."),
                      Param("mutation_id", "String", "", "The mutation_id to stop."))),
        Panel("optimize_table", "Optimize table", "control/optimize_table",
              "Merge a table's parts now with OPTIMIZE TABLE (asks the user to confirm first).",
              params=(Param("database", "String", "default", "Database of the table."),
                      Param("table", "String", "", "Table name."))),
    )
}


@dataclass(frozen=True)
class Tool:
    """One callable tool: its name, what it does, its JSON-schema parameters and what runs it."""

    name: str
    description: str
    kind: ToolKind
    parameters: dict[str, Any]
    panel: Panel | None = None

    @property
    def accepts(self) -> frozenset[str]:
        """The argument names this tool understands."""
        return frozenset(self.parameters.get("properties", {}))

    def openai_schema(self) -> dict[str, Any]:
        """The tool as an OpenAI chat-completions `tools` entry."""
        return {"type": "function", "function": {
            "name": self.name, "description": self.description, "parameters": self.parameters}}


@dataclass
class ToolRun:
    """What one tool call did: arguments, SQL, result or error, duration; `pending` when awaiting confirmation."""

    tool: str
    arguments: dict[str, Any]
    sql: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    frame: pd.DataFrame | None = None
    duration_ms: float = 0.0
    error: str = ""
    error_name: str = ""
    pending: bool = False
    chart: dict[str, Any] = field(default_factory=dict)
    call_id: str = ""

    @property
    def ok(self) -> bool:
        """True when the tool ran and returned rows (possibly none)."""
        return not self.error and not self.pending and self.frame is not None

    @property
    def row_count(self) -> int:
        """Rows returned (0 on error)."""
        return 0 if self.frame is None else len(self.frame)

    def result_json(self, max_rows: int = RESULT_ROWS_KEPT) -> str:
        """The result as JSON: columns and the first rows, or the error, or the pending confirmation."""
        if self.pending:
            return json.dumps({"status": "awaiting confirmation by the user in the UI; not executed yet"})
        if self.error:
            return json.dumps({"error": self.error, "error_name": self.error_name})
        frame = self.frame if self.frame is not None else pd.DataFrame()
        shown = frame.head(max_rows)
        rows = json.loads(shown.to_json(orient="values", date_format="iso", default_handler=str)) if len(shown) else []
        return json.dumps({"columns": [str(c) for c in frame.columns], "rows": rows, "row_count": len(frame),
                           "rows_shown": len(shown)}, ensure_ascii=False, default=str)

    def to_message(self) -> Message:
        """The tool message kept in the conversation (result rows in `content`, the call's facts in metadata)."""
        return Message(role="tool", name=self.tool, content=self.result_json(), id=new_id(), created_at=utcnow(),
                       metadata={"arguments": _jsonable(self.arguments), "sql": self.sql,
                                 "params": _jsonable(self.params), "duration_ms": round(self.duration_ms, 1),
                                 "rows": self.row_count, "error": self.error, "error_name": self.error_name,
                                 "pending": self.pending, "chart": self.chart, "call_id": self.call_id})

    @classmethod
    def from_message(cls, message: Message) -> ToolRun:
        """Rebuild a ToolRun (with its kept rows) from a stored tool message."""
        meta = message.metadata
        frame = None
        try:
            data = json.loads(message.content or "{}")
        except ValueError:
            data = {}
        if isinstance(data, dict) and "columns" in data:
            frame = pd.DataFrame(data.get("rows") or [], columns=data["columns"])
        return cls(tool=message.name, arguments=meta.get("arguments") or {}, sql=meta.get("sql", ""),
                   params=meta.get("params") or {}, frame=frame, duration_ms=float(meta.get("duration_ms") or 0),
                   error=meta.get("error", ""), error_name=meta.get("error_name", ""),
                   pending=bool(meta.get("pending")), chart=meta.get("chart") or {},
                   call_id=meta.get("call_id", ""))


def new_id() -> str:
    """A fresh message id (explicit ids keep retried appends idempotent)."""
    return uuid.uuid4().hex


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


_JSON_TYPES = (("UInt", "integer"), ("Int", "integer"), ("Float", "number"), ("Decimal", "number"),
               ("Bool", "boolean"), ("Array", "array"))


def _json_type(ch_type: str) -> str:
    return next((json_type for prefix, json_type in _JSON_TYPES if ch_type.startswith(prefix)), "string")


def panel_schema(panel: Panel) -> dict[str, Any]:
    """JSON-schema parameters of a panel: its declared parameters, plus `start`/`end` when its SQL uses a window."""
    properties: dict[str, Any] = {}
    used = sqlfiles.placeholders(sqlfiles.load(panel.sql))
    for param in panel.params:
        if param.name not in used:
            continue
        prop: dict[str, Any] = {"type": _json_type(param.type),
                                "description": f"{param.description} Default: {param.default!r}.".strip()}
        if prop["type"] == "array":
            prop["items"] = {"type": "string"}
        if param.choices:
            prop["enum"] = list(param.choices)
        properties[param.name] = prop
    if "start" in used and panel.param("start") is None:
        properties["start"] = {"type": "string", "description": "Window start, ISO 8601 UTC. Default: 1 hour ago."}
    if "end" in used and panel.param("end") is None:
        properties["end"] = {"type": "string", "description": "Window end, ISO 8601 UTC. Default: now."}
    return {"type": "object", "properties": properties, "additionalProperties": False}


def _panel_tool(panel: Panel, kind: ToolKind = "panel") -> Tool:
    description = f"{panel.title}: {panel.description}"
    if panel.requires:
        description += f" (needs system.{panel.requires})"
    return Tool(panel.name, description, kind, panel_schema(panel), panel)


def build_tools(settings: Settings | None = None, panels: dict[str, Panel] | None = None) -> dict[str, Tool]:
    """Every tool available now: catalog panels, the assistant's panels, run_sql, explain, and enabled controls."""
    if panels is None:
        from dashboard.catalog import PANELS

        panels = PANELS
    tools: dict[str, Tool] = {}
    for panel in [*panels.values(), *ASSISTANT_PANELS.values()]:
        if panel.name not in tools:
            tools[panel.name] = _panel_tool(panel)
    tools["run_sql"] = Tool(
        "run_sql",
        "Run one read-only ClickHouse query (SELECT, WITH, SHOW, DESCRIBE or EXPLAIN) and return its rows. "
        "Prefer the specific tools; use this for questions they do not cover. Table functions that reach outside "
        "the server (url, s3, file, remote, mysql, ...) are refused.",
        "run_sql",
        {"type": "object", "properties": {"sql": {"type": "string", "description": "One read-only statement."}},
         "required": ["sql"], "additionalProperties": False},
    )
    tools["explain"] = Tool(
        "explain",
        "Show how ClickHouse would execute a SELECT (EXPLAIN): the plan, the plan with index use, the pipeline, "
        "the rewritten syntax or an estimate of rows and marks to read.",
        "explain",
        {"type": "object", "properties": {
            "sql": {"type": "string", "description": "The SELECT to explain."},
            "kind": {"type": "string", "enum": list(EXPLAIN_KINDS), "description": "What to show. Default: INDEXES."}},
         "required": ["sql"], "additionalProperties": False},
    )
    if settings is not None and settings.chm_enable_control_actions:
        for panel in CONTROL_PANELS.values():
            tool = _panel_tool(panel, "control")
            tool.parameters["required"] = [p.name for p in panel.params]
            tools[panel.name] = tool
    return tools


def _parse_time(value: Any, name: str) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValidationError(f"{name} must be an ISO 8601 time, got {value!r}") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _chart_hint(panel: Panel | None) -> dict[str, Any]:
    if panel is None or panel.kind not in ("line", "area", "bar") or not panel.x:
        return {}
    return {"kind": panel.kind, "x": panel.x, "y": list(panel.y)}


def _panel_call(tool: Tool, arguments: dict[str, Any], now: datetime | None) -> tuple[str, dict[str, Any]]:
    panel = tool.panel
    assert panel is not None
    unknown = set(arguments) - tool.accepts
    if unknown:
        raise ValidationError(f"{tool.name} does not take {', '.join(sorted(unknown))}; it takes "
                              f"{', '.join(sorted(tool.accepts)) or 'no arguments'}")
    values = {k: v for k, v in arguments.items() if k not in ("start", "end") and v is not None}
    end = _parse_time(arguments["end"], "end") if arguments.get("end") else (now or datetime.now(UTC))
    start = _parse_time(arguments["start"], "start") if arguments.get("start") else end - timedelta(hours=1)
    if start >= end:
        raise ValidationError("start must be before end")
    params = panel_params(panel, values, start=start, end=end)
    return sqlfiles.load(panel.sql), params


def explain_statement(conn: Connection, sql: str, kind: str = "INDEXES") -> str:
    """The EXPLAIN statement for a checked SELECT: a fixed prefix from EXPLAIN_KINDS, then the user's query."""
    inner = guard.check(conn, sql)
    if inner.tree["type"] == "ExplainQuery":
        return inner.statement
    if inner.tree["type"] != "SelectWithUnionQuery":
        raise ReadOnlyViolation("explain takes a SELECT or WITH query")
    clause = EXPLAIN_KINDS.get(str(kind).upper())
    if clause is None:
        raise ValidationError(f"kind must be one of {', '.join(EXPLAIN_KINDS)}")
    return guard.check(conn, " ".join(("EXPLAIN", clause, inner.statement))).statement


def run_tool(
    conn: Connection, tool: Tool, arguments: dict[str, Any] | None = None, *, now: datetime | None = None,
    confirmed: bool = False, call_id: str = "",
) -> ToolRun:
    """Run a tool and report what happened; failures are reported in the ToolRun, never raised."""
    arguments = dict(arguments or {})
    run = ToolRun(tool=tool.name, arguments=arguments, chart=_chart_hint(tool.panel), call_id=call_id)
    began = time.perf_counter()
    try:
        if tool.kind == "panel":
            run.sql, run.params = _panel_call(tool, arguments, now)
            run.frame = conn.query_df(run.sql, run.params, readonly=True)
        elif tool.kind == "run_sql":
            run.sql = guard.check(conn, arguments.get("sql", "")).statement
            run.frame = conn.query_df(run.sql, readonly=True)
        elif tool.kind == "explain":
            run.sql = explain_statement(conn, arguments.get("sql", ""), arguments.get("kind") or "INDEXES")
            run.frame = conn.query_df(run.sql, readonly=True)
        else:
            run.sql, run.params = _panel_call(tool, arguments, now)
            missing = [name for name, value in run.params.items() if value in ("", None)]
            if missing:
                raise ValidationError(f"{tool.name} needs {', '.join(missing)}")
            if not confirmed:
                run.pending = True
                return run
            conn.command(run.sql, run.params)
            run.frame = pd.DataFrame({"result": [f"{tool.name} sent"]})
    except ReadOnlyViolation as exc:
        run.error, run.error_name = str(exc), "READONLY_GUARD"
    except ChStoreError as exc:
        run.error, run.error_name = str(exc), str(getattr(exc, "name", "") or type(exc).__name__)
        if run.error_name == "CANNOT_EXTRACT_TABLE_STRUCTURE":
            run.error = "The server has no log table for this yet (e.g. system.query_log is created after the first "\
                "logged query is flushed); try again in a few seconds."
    run.duration_ms = (time.perf_counter() - began) * 1000
    return run
