"""The assistant's tools: a small fixed set over the whole catalog, whatever its size.

`search_panels` finds panels and health checks by meaning (assistant/search.py); `run_panel` runs one of them;
`health` runs every check; `table_schema`, `run_sql` and `explain` cover the rest (users' SQL is parsed and
checked by the engine it runs on, `core.guard.check`); the catalog's `Action`s are tools
only when control actions are enabled, and run only once the user has confirmed. Every tool takes an optional `host`
(a configured host's label, or `all`) and every result carries a link to the dashboard page showing the same thing.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from urllib.parse import urlencode

import pandas as pd

from assistant.search import HEALTH, catalog_index
from chstore.model import Message, current_limits, utcnow
from config import Settings
from core import guard, sqlfiles
from core.connection import Connection
from core.errors import ChmError, ReadOnlyViolation, UnavailableError, ValidationError
from dashboard.catalog import ACTIONS, PAGES, PANELS
from dashboard.context import TIME_RANGES
from dashboard.explain import EXPLAIN_KINDS, explain_statement
from dashboard.panels import DEFAULT_WINDOW, Action, Panel, run_action, run_panel, sql_params
from dashboard.render import MISSING_NAMES, Missing, check_status

ToolKind = Literal["search", "panel", "health", "schema", "run_sql", "explain", "control"]
Hosts = Mapping[str, Callable[[], Connection]]
"""Every configured host by label, each opening (or reusing) its connection."""
RESULT_ROWS_KEPT = 200
"""Rows of a tool result kept in the conversation (the table shown on reload, the context an LLM sees)."""
ALL_HOSTS = "all"
MAX_TOOLS = 20
"""The most tools one LLM request may carry (OpenAI refuses more than 128; a small set keeps the model focused)."""
SEARCH_RESULTS = 5
HOME_PANELS = {"server_info": ""}
"""Panels drawn by the home page (`dashboard/home.py`) rather than a declared page, by URL path."""

@dataclass(frozen=True)
class Tool:
    """One callable tool: its name, what it does, its JSON-schema parameters and what runs it."""

    name: str
    description: str
    kind: ToolKind
    parameters: dict[str, Any]
    action: Action | None = None

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
    panel: str = ""
    link: str = ""

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
        while True:  # fewer rows until the message fits the store's size limit (wide rows: 200 × 30 KB is 6 MB)
            shown = frame.head(max_rows)
            rows = (json.loads(shown.to_json(orient="values", date_format="iso", default_handler=str))
                    if len(shown) else [])
            result = {"columns": [str(c) for c in frame.columns], "rows": rows, "row_count": len(frame),
                      "rows_shown": len(shown)}
            if self.link:
                result["link"] = self.link
            text = json.dumps(result, ensure_ascii=False, default=str)
            if not max_rows or len(text.encode("utf-8", "surrogatepass")) <= current_limits().message_bytes:
                return text
            max_rows //= 2

    def to_message(self) -> Message:
        """The tool message kept in the conversation (result rows in `content`, the call's facts in metadata)."""
        return Message(role="tool", name=self.tool, content=self.result_json(), id=new_id(), created_at=utcnow(),
                       metadata={"arguments": _jsonable(self.arguments), "sql": self.sql,
                                 "params": _jsonable(self.params), "duration_ms": round(self.duration_ms, 1),
                                 "rows": self.row_count, "error": self.error, "error_name": self.error_name,
                                 "pending": self.pending, "chart": self.chart, "call_id": self.call_id,
                                 "panel": self.panel, "link": self.link})

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
                   call_id=meta.get("call_id", ""), panel=meta.get("panel", ""), link=meta.get("link", ""))


def new_id() -> str:
    """A fresh message id (explicit ids keep retried appends idempotent)."""
    return uuid.uuid4().hex


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


_JSON_TYPES = (("UInt", "integer"), ("Int", "integer"), ("Float", "number"), ("Decimal", "number"),
               ("Bool", "boolean"), ("Array", "array"))
_HOST = {"type": "string", "description": "A configured host's label, or 'all' for every host (rows get a host "
                                          "column). Default: the host selected in the app."}


def _json_type(ch_type: str) -> str:
    return next((json_type for prefix, json_type in _JSON_TYPES if ch_type.startswith(prefix)), "string")


def panel_arguments(panel: Panel) -> dict[str, Any]:
    """JSON-schema properties of a panel's arguments: its declared parameters its SQL uses, plus `start`/`end`."""
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
    if "start" in used:
        properties["start"] = {"type": "string", "description": "Window start, ISO 8601 UTC. Default: 1 hour ago."}
    if "end" in used:
        properties["end"] = {"type": "string", "description": "Window end, ISO 8601 UTC. Default: now."}
    return properties


def _object(properties: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": {**properties, "host": _HOST},
                              "additionalProperties": False}
    if required:
        schema["required"] = list(required)
    return schema


def _action_tool(action: Action) -> Tool:
    properties = {p.name: {"type": "string", "description": p.description} for p in action.params}
    return Tool(action.name, f"{action.title}: {action.description} Asks the user to confirm first.", "control",
                _object(properties, tuple(properties)), action)


def build_tools(settings: Settings | None = None, *, control_actions: bool | None = None) -> dict[str, Tool]:
    """The fixed tool set: search, run a panel, health, table schema, run_sql, explain, and enabled controls.

    `control_actions` overrides the setting, e.g. False for a read-only ClickHouse user, who may not run them.
    """
    tools = [
        Tool("search_panels", "Find the dashboard panels and health checks that answer a question (by meaning). "
             "Returns their names, what they show, the system tables they read and the arguments they take; "
             "call run_panel with one of them next.", "search",
             _object({"question": {"type": "string", "description": "The question, in words."}}, ("question",))),
        Tool("run_panel", "Run one dashboard panel or health check by name (from search_panels) and return its rows.",
             "panel", _object({
                 "name": {"type": "string", "description": "The panel's name, as search_panels gave it."},
                 "arguments": {"type": "object", "description": "The panel's arguments (see search_panels); "
                               "start/end are ISO 8601 UTC. Omitted ones take their defaults."}}, ("name",))),
        Tool("health", "Run every health check: status (critical, warning, ok, n/a), measured value, thresholds "
             "and what it means; critical and warning first.", "health", _object({})),
        Tool("table_schema", "Columns of one table: type, default, codec, sizes, primary-key membership, comment.",
             "schema", _object({"database": {"type": "string", "description": "Database; empty: found by name."},
                                "table": {"type": "string", "description": "Table name."}}, ("table",))),
        Tool("run_sql", "Run one read-only ClickHouse query (SELECT, WITH, SHOW, DESCRIBE or EXPLAIN) and return its "
             "rows. Prefer the panels; use this for questions they do not cover. Table functions that reach outside "
             "the server (url, s3, file, remote, mysql, ...) are refused.", "run_sql",
             _object({"sql": {"type": "string", "description": "One read-only statement."}}, ("sql",))),
        Tool("explain", "Show how ClickHouse would execute a SELECT (EXPLAIN): the plan, the plan with index use, "
             "the pipeline, the rewritten syntax or an estimate of rows and marks to read.", "explain",
             _object({"sql": {"type": "string", "description": "The SELECT to explain."},
                      "kind": {"type": "string", "enum": list(EXPLAIN_KINDS), "description": "Default: INDEXES."}},
                     ("sql",))),
    ]
    enabled = settings is not None and settings.app.enable_control_actions
    if enabled if control_actions is None else control_actions:
        tools.extend(_action_tool(action) for action in ACTIONS.values())
    return {tool.name: tool for tool in tools}


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


def range_label(start: datetime, end: datetime) -> str:
    """The sidebar's time range that best shows a window ending now: the shortest preset covering it."""
    span = end - start
    return next((label for label, length in TIME_RANGES.items() if length >= span - timedelta(seconds=1)), "30d")


def page_link(name: str, values: Mapping[str, Any] | None = None, window: tuple[datetime, datetime] | None = None,
              host: str = "") -> str:
    """The URL of the dashboard page that draws a panel (or the Health page), with its window and arguments."""
    page = "health" if name == HEALTH else next((p.url_path for p in PAGES.values() if name in p.panel_names),
                                                "health" if PANELS[name].check else HOME_PANELS.get(name))
    if page is None:
        return ""
    declared = [p.name for p in PANELS[name].params] if name in PANELS else []
    given = sorted((values or {}).items(), key=lambda kv: declared.index(kv[0]) if kv[0] in declared else len(declared))
    query = {k: str(v) for k, v in given if v not in ("", None) and k not in ("start", "end")}
    if window is not None:
        query["range"] = range_label(*window)
    if host and host != ALL_HOSTS:
        query["host"] = host
    return f"/{page}" + (f"?{urlencode(query)}" if query else "")



def _panel_call(panel: Panel, arguments: dict[str, Any], now: datetime | None
                ) -> tuple[dict[str, Any], datetime, datetime]:
    accepts = set(panel_arguments(panel))
    unknown = set(arguments) - accepts
    if unknown:
        raise ValidationError(f"{panel.name} does not take {', '.join(sorted(unknown))}; it takes "
                              f"{', '.join(sorted(accepts)) or 'no arguments'}")
    values = {k: v for k, v in arguments.items() if k not in ("start", "end") and v is not None}
    end = _parse_time(arguments["end"], "end") if arguments.get("end") else (now or datetime.now(UTC))
    start = _parse_time(arguments["start"], "start") if arguments.get("start") else end - DEFAULT_WINDOW
    if start >= end:
        raise ValidationError("start must be before end")
    return values, start, end


def _on_hosts(conn: Connection, hosts: Hosts | None, host: str, query: Callable[[Connection], pd.DataFrame]
              ) -> pd.DataFrame:
    """Run `query` on the asked host, or on every host with a leading `host` column when asked for `all`."""
    if not host:
        return query(conn)
    hosts = hosts or {}
    if host == ALL_HOSTS:
        frames = [query(open_host()).assign(host=label) for label, open_host in hosts.items()] or [query(conn)]
        frame = pd.concat(frames, ignore_index=True)
        return frame[["host", *[c for c in frame.columns if c != "host"]]] if "host" in frame.columns else frame
    if host not in hosts:
        raise ValidationError(f"no host named {host!r}; the hosts are {', '.join(hosts) or 'only the current one'}"
                              f" (or '{ALL_HOSTS}')")
    return query(hosts[host]())


def _search(question: str) -> pd.DataFrame:
    rows = []
    for hit in catalog_index().search(question, SEARCH_RESULTS):
        panel = hit.entry.panel
        rows.append({"name": hit.entry.name, "kind": hit.entry.kind, "title": hit.entry.title,
                     "description": hit.entry.description, "score": round(hit.score, 2),
                     "reads": ", ".join(f"system.{t}" for t in panel.reads) if panel else "every check's table",
                     "arguments": json.dumps(panel_arguments(panel)) if panel else "{}",
                     "link": page_link(hit.entry.name)})
    return pd.DataFrame(rows)


def health_frame(conn: Connection, now: datetime | None = None) -> pd.DataFrame:
    """Every health check's status, value, thresholds and meaning; critical, then warning, first."""
    end = now or datetime.now(UTC)
    rows = []
    for panel in (p for p in PANELS.values() if p.check):
        try:
            result: pd.DataFrame | Missing = run_panel(conn, panel, start=end - DEFAULT_WINDOW, end=end)
        except UnavailableError as exc:
            result = Missing(exc.name, str(exc))
        except ChmError as exc:
            result = Missing(getattr(exc, "name", None), str(exc))
            if result.name not in MISSING_NAMES:
                result.message = f"failed: {exc}"
        status, value, warning, critical, detail = check_status(panel, result)
        detail = result.message if isinstance(result, Missing) and result.message.startswith("failed") else detail
        rows.append({"check": panel.name, "title": panel.title, "status": status, "value": value,
                     "unit": panel.check.unit, "warning": warning, "critical": critical, "detail": detail,
                     "meaning": panel.check.meaning, "action": panel.check.action})
    order = {"critical": 0, "warning": 1, "ok": 2, "no data": 3, "n/a": 4}
    frame = pd.DataFrame(rows)
    return frame.sort_values("status", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)


def _schema_values(conn: Connection, arguments: dict[str, Any]) -> dict[str, Any]:
    table = str(arguments.get("table") or "")
    database = str(arguments.get("database") or "")
    if "." in table and not database:
        database, table = table.split(".", 1)
    if not table:
        raise ValidationError("table_schema needs a table")
    if not database:
        found = run_panel(conn, PANELS["find_table"], {"table": table})
        if found.empty:
            raise ValidationError(f"no table named {table!r} on this server")
        database = str(found.iloc[0]["database"])
    return {"database": database, "table": table}


def run_tool(
    conn: Connection, tool: Tool, arguments: dict[str, Any] | None = None, *, now: datetime | None = None,
    confirmed: bool = False, call_id: str = "", hosts: Hosts | None = None,
) -> ToolRun:
    """Run a tool and report what happened; failures are reported in the ToolRun, never raised."""
    arguments = dict(arguments or {})
    run = ToolRun(tool=tool.name, arguments=dict(arguments), call_id=call_id)
    host = str(arguments.pop("host", "") or "")
    began = time.perf_counter()
    try:
        if tool.kind == "search":
            run.frame = _search(str(arguments.get("question", "")))
        elif tool.kind == "panel":
            _run_panel(conn, run, arguments, now, hosts, host)
        elif tool.kind == "health":
            run.panel, run.link = HEALTH, page_link(HEALTH, host=host)
            run.frame = _on_hosts(conn, hosts, host, lambda c: health_frame(c, now))
        elif tool.kind == "schema":
            values = _schema_values(conn, arguments)
            panel = PANELS["table_columns"]
            run.panel, run.sql, run.params = panel.name, sqlfiles.load(panel.sql), sql_params(panel.sql, panel, values)
            run.link = page_link(panel.name, values, host=host)
            run.frame = _on_hosts(conn, hosts, host, lambda c: run_panel(c, panel, values))
        elif tool.kind == "run_sql":
            typed = str(arguments.get("sql", ""))
            run.sql = guard.check(conn, typed).statement
            run.frame = _on_hosts(conn, hosts, host, lambda c: c.query_df(
                guard.check(c, typed).statement, readonly=True, adhoc=True))
        elif tool.kind == "explain":
            typed, kind = str(arguments.get("sql", "")), arguments.get("kind") or "INDEXES"
            run.sql = explain_statement(conn, typed, kind)
            run.frame = _on_hosts(conn, hosts, host, lambda c: c.query_df(
                explain_statement(c, typed, kind), readonly=True, adhoc=True))
        else:
            action = tool.action
            assert action is not None
            run.sql, run.params = sqlfiles.load(action.sql), sql_params(action.sql, action, arguments)
            missing = [name for name, value in run.params.items() if value in ("", None)]
            if missing:
                raise ValidationError(f"{tool.name} needs {', '.join(missing)}")
            if not confirmed:
                run.pending = True
                return run
            target = conn
            if host:
                if not hosts or host not in hosts:
                    raise ValidationError(f"no host named {host!r}; a control action runs on one host")
                target = hosts[host]()
            run_action(target, action, arguments)
            run.frame = pd.DataFrame({"result": [f"{tool.name} sent"]})
    except ReadOnlyViolation as exc:
        run.error, run.error_name = str(exc), "READONLY_GUARD"
    except ChmError as exc:
        run.error, run.error_name = str(exc), str(getattr(exc, "name", "") or type(exc).__name__)
        if run.error_name == "CANNOT_EXTRACT_TABLE_STRUCTURE":
            run.error = "The server has no log table for this yet (e.g. system.query_log is created after the first "\
                "logged query is flushed); try again in a few seconds."
    run.duration_ms = (time.perf_counter() - began) * 1000
    return run


def _run_panel(conn: Connection, run: ToolRun, arguments: dict[str, Any], now: datetime | None, hosts: Hosts | None,
               host: str) -> None:
    name = str(arguments.get("name", ""))
    panel = PANELS.get(name)
    if panel is None or not panel.phrases:
        nearest = ", ".join(hit.entry.name for hit in catalog_index().search(name.replace("_", " ")))
        raise ValidationError(f"no panel named {name!r}; search_panels finds them (nearest: {nearest})")
    given = arguments.get("arguments") or {}
    if not isinstance(given, dict):
        raise ValidationError("arguments must be an object")
    values, start, end = _panel_call(panel, dict(given), now)
    run.panel, run.chart = panel.name, _chart_hint(panel)
    run.sql, run.params = sqlfiles.load(panel.sql), sql_params(panel.sql, panel, values, start=start, end=end)
    window = (start, end) if "window" in panel.fillable else None
    run.link = page_link(panel.name, values, window, host)
    run.frame = _on_hosts(conn, hosts, host, lambda c: run_panel(c, panel, values, start=start, end=end))
