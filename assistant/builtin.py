"""The built-in assistant (no LLM): reads the intent and parameters of a monitoring question, runs one tool and
writes a short summary from the rows it got back. It never states a number that is not in the result."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd

from assistant.tools import Tool, ToolRun, run_tool
from chstore import sqlfiles
from chstore.connection import Connection

LABEL = "built-in"


@dataclass(frozen=True)
class Window:
    """A time window read from the question, with the words to repeat in the answer."""

    start: datetime
    end: datetime
    label: str


@dataclass
class Plan:
    """What the built-in assistant decided: an intent, the tool to call and its arguments."""

    intent: str
    tool: str = ""
    arguments: dict[str, Any] = field(default_factory=dict)
    window: Window | None = None
    note: str = ""


@dataclass(frozen=True)
class Intent:
    """A kind of question: how to recognise it, which tools answer it (first available wins), how to describe it."""

    name: str
    pattern: re.Pattern[str]
    tools: tuple[str, ...]
    example: str
    noun: str
    empty: str
    label: tuple[str, ...] = ()
    value: tuple[str, ...] = ()


def _rx(text: str) -> re.Pattern[str]:
    return re.compile(text, re.IGNORECASE)


# Order matters: the first intent whose pattern matches wins, so the specific come before the general.
INTENTS: tuple[Intent, ...] = (
    Intent("table_schema", _rx(r"\b(schema|columns?|structure|describe|definition)\b"), ("table_schema",),
           "what columns does table x have?", "columns", "No columns found: the table may not exist.",
           ("column",), ("type",)),
    Intent("mutations", _rx(r"\bmutations?\b"), ("unfinished_mutations", "mutations"), "are there stuck mutations?",
           "unfinished mutations", "No unfinished mutations.", ("table", "mutation_id"), ("parts_to_do",)),
    Intent("merges", _rx(r"\bmerg(e|es|ing)\b"), ("running_merges", "merges_running"), "show merges for table x",
           "running merges", "No merges are running right now.", ("table",), ("progress_pct", "elapsed_s")),
    Intent("replication", _rx(r"\breplica(s|ted|tion)?\b"), ("replication_status",), "is replication healthy?",
           "replicated tables", "No replicated tables on this server, so there is no replication to check.",
           ("table",), ("absolute_delay", "queue_size")),
    Intent("parts", _rx(r"\bparts\b"), ("parts_per_table",), "which tables have the most parts?",
           "tables by active parts", "No active parts found.", ("table",), ("active_parts",)),
    Intent("biggest_tables", _rx(r"\b(biggest|largest|heaviest|size of (the )?tables|tables? (by )?size|"
                                 r"most (disk )?space|take up (the )?most)\b"),
           ("biggest_tables",), "which tables are biggest?", "tables by size on disk",
           "No tables with data parts found.", ("database", "table"), ("size",)),
    Intent("disk_space", _rx(r"\b(disks?|free space|storage|space (left|free)|full)\b"), ("disk_space",),
           "how much disk is free?", "disks", "No disks reported.", ("disk",), ("free_space", "used_pct")),
    Intent("server_errors", _rx(r"\b(server errors?|error (counters?|counts?)|system\.errors|errors? since)\b|"
               r"\berrors?\b.*\bserver\b|\bserver\b.*\berrors?\b"),
           ("server_errors",), "which errors has the server counted?", "error kinds",
           "The server has counted no errors.", ("error",), ("count",)),
    Intent("failed_queries", _rx(r"\b(fail(ed|ing|ures?)?|errors?|exceptions?|broken)\b"), ("failed_queries",),
           "are there failed queries today?", "failed queries", "No failed queries", ("error", "user"), ()),
    Intent("slow_queries", _rx(r"\b(slow(est)?|longest|took (the )?longest|expensive|heavy queries)\b"),
           ("slow_queries",), "slowest queries in the last 2 hours", "finished queries",
           "No finished queries", ("user", "query_id"), ("query_duration_ms",)),
    Intent("top_users", _rx(r"\b(which|top|most active|busiest)( \d+)? users?\b|\bwho (runs|ran|is running) the most\b"),
           ("top_users",), "which users ran the most queries today?", "users", "No queries",
           ("user",), ("queries",)),
    Intent("query_volume", _rx(r"\b(how many queries|queries per|query (rate|volume|load|count)|qps|"
                               r"number of queries|load over time)\b"),
           ("query_volume",), "how many queries per minute in the last hour?", "time buckets", "No queries",
           ("t",), ("queries",)),
    Intent("running_queries", _rx(r"\b(running|right now|currently|in progress|processes|active queries|"
                                  r"happening)\b"), ("running_queries",), "what is running now?",
           "running queries", "No queries are running right now (besides chmonitor's own).",
           ("user", "query_id"), ("elapsed_s",)),
    Intent("list_tables", _rx(r"\b(tables|list tables|show tables)\b"), ("list_tables",),
           "which tables are in database x?", "tables", "No tables found.", ("database", "table"), ("total_rows",)),
    Intent("list_databases", _rx(r"\b(databases|dbs|schemas)\b"), ("list_databases",), "which databases exist?",
           "databases", "No databases found.", ("database",), ("tables",)),
    Intent("server_info", _rx(r"\b(version|uptime|server info|how long .* up|which server)\b"),
           ("server_info",), "which version is the server, and its uptime?", "server", "No answer from the server.",
           ("version",), ("uptime_seconds",)),
)
INTENTS_BY_NAME = {intent.name: intent for intent in INTENTS}

_SQL_START = re.compile(r"^\s*(select|with|show\s+(tables|databases|create|processlist|columns|"
                        r"dictionaries|settings|grants|functions|indexes|clusters?|full))\b", re.IGNORECASE)
_EXPLAIN = re.compile(r"^\s*explain\s+(?:(plan|indexes|pipeline|syntax|estimate)\s+)?((?:select|with)\b.*)$",
                      re.IGNORECASE | re.DOTALL)
_CODE = re.compile(r"```(?:sql)?\s*(.+?)```", re.IGNORECASE | re.DOTALL)
_KILL_QUERY = re.compile(r"\bkill\s+(?:the\s+)?query\s+(?:id\s+)?['\"`]?([\w-]{3,})", re.IGNORECASE)
_KILL_MUTATION = re.compile(r"\bkill\s+(?:the\s+)?mutation\s+['\"`]?([\w.-]+)", re.IGNORECASE)
_OPTIMIZE = re.compile(r"\boptimi[sz]e\s+(?:the\s+)?(?:table\s+)?", re.IGNORECASE)

_UNITS = {"second": 1, "sec": 1, "s": 1, "minute": 60, "min": 60, "m": 60, "hour": 3600, "hr": 3600, "h": 3600,
          "day": 86400, "d": 86400, "week": 604800, "w": 604800, "month": 2592000}
_WORD_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "ten": 10,
                 "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30}
_SPAN = re.compile(
    r"\b(?:last|past|previous|in the last|within the last|over the last)\s+(?:(\d+|" + "|".join(_WORD_NUMBERS)
    + r")\s*)?(seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|[smhdw])\b",
    re.IGNORECASE)
_AGO = re.compile(r"\b(\d+)\s*(seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?)\s+ago\b", re.IGNORECASE)
_LIMIT = re.compile(r"\b(?:top|first|limit|show(?: me)?|the)\s+(\d{1,4})\b|\b(\d{1,4})\s+(?:slowest|biggest|largest|"
                    r"latest|last|most|top|failed|queries|tables|users|errors)\b", re.IGNORECASE)
_USER = re.compile(r"\b(user|by)\s+(?=['\"`]?([A-Za-z_][\w.@-]*))", re.IGNORECASE)
_QUALIFIED = re.compile(r"`?\b([A-Za-z_][\w]*)`?\.`?([A-Za-z_][\w]*)\b`?")
_TABLE = re.compile(r"\btables?\s+['\"`]?([A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)?)['\"`]?", re.IGNORECASE)
_OF_TABLE = re.compile(r"\b(?:of|for|in|on)\s+(?:the\s+)?['\"`]?([A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)?)['\"`]?\s*"
                       r"(?:table)?\s*\??$", re.IGNORECASE)
_DATABASE = re.compile(r"\b(?:database|db|schema)\s+['\"`]?([A-Za-z_][\w]*)['\"`]?|\b(?:in|of|from)\s+(?:the\s+)?"
                       r"['\"`]?([A-Za-z_][\w]*)['\"`]?\s+(?:database|db)\b", re.IGNORECASE)
_NOT_NAMES = frozenset({"the", "a", "an", "is", "are", "x", "this", "that", "all", "each", "every", "my", "any",
                        "which", "what", "have", "has", "with", "by", "size", "now", "today", "yesterday", "last", "past", "most", "do", "does", "exist", "exists", "of", "in", "for", "on",
                        "queries", "query", "biggest", "largest", "running", "names", "name", "there", "and"})
_BY_USER_WORDS = frozenset({"size", "time", "duration", "memory", "count", "name", "table", "database", "user",
                            "users", "the", "a"})


def _number(text: str | None) -> int:
    if not text:
        return 1
    return int(text) if text.isdigit() else _WORD_NUMBERS.get(text.lower(), 1)


def _unit_seconds(unit: str) -> int:
    unit = unit.lower()
    if unit in _UNITS:
        return _UNITS[unit]
    return _UNITS.get(unit.rstrip("s"), 3600)


def parse_window(text: str, now: datetime) -> Window | None:
    """A time window named in the question ("last 2 hours", "today", "yesterday", "3 days ago"), or None."""
    lowered = text.lower()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if match := _SPAN.search(text):
        amount, unit = _number(match.group(1)), match.group(2)
        seconds = amount * _unit_seconds(unit)
        return Window(now - timedelta(seconds=seconds), now, match.group(0).lower())
    if match := _AGO.search(text):
        seconds = int(match.group(1)) * _unit_seconds(match.group(2))
        return Window(now - timedelta(seconds=seconds), now, f"since {match.group(0).lower()}")
    if re.search(r"\byesterday\b", lowered):
        if re.search(r"\bsince yesterday\b", lowered):
            return Window(midnight - timedelta(days=1), now, "since yesterday")
        return Window(midnight - timedelta(days=1), midnight, "yesterday")
    if re.search(r"\b(today|so far today)\b", lowered):
        return Window(midnight, now, "today")
    if re.search(r"\bthis week\b", lowered):
        return Window(midnight - timedelta(days=now.weekday()), now, "this week")
    if re.search(r"\b(this|the last|past) hour\b", lowered):
        return Window(now - timedelta(hours=1), now, "in the last hour")
    return None


def parse_limit(text: str) -> int | None:
    """A row limit named in the question ("top 5", "10 slowest"), or None."""
    match = _LIMIT.search(text)
    if not match:
        return None
    value = int(match.group(1) or match.group(2))
    return value if 0 < value <= 1000 else None


def parse_user(text: str) -> str | None:
    """A ClickHouse user named in the question ("user alice", "by bob"), or None."""
    candidates = [(m.group(1).lower(), m.group(2)) for m in _USER.finditer(text)]
    for keyword in ("user", "by"):
        for found, name in candidates:
            if found == keyword and name.lower() not in _NOT_NAMES | _BY_USER_WORDS:
                return name
    return None


def parse_database(text: str) -> str | None:
    """A database named in the question ("database logs", "in the logs database"), or None."""
    for match in _DATABASE.finditer(text):
        name = match.group(1) or match.group(2)
        if name and name.lower() not in _NOT_NAMES:
            return name
    return None


def parse_table(text: str) -> tuple[str | None, str | None]:
    """(database, table) named in the question ("table db.events", "merges for events"); parts may be None."""
    for pattern in (_TABLE, _OF_TABLE):
        for match in pattern.finditer(text):
            name = match.group(1)
            if name.lower() in _NOT_NAMES:
                continue
            database, _, table = name.rpartition(".")
            return database or None, table
    for match in _QUALIFIED.finditer(text):
        database, table = match.group(1), match.group(2)
        if not database.isdigit():
            return database, table
    return None, None


def _pick_tool(intent: Intent, tools: dict[str, Tool], wanted: set[str]) -> tuple[str, set[str]]:
    """The first available tool of the intent that takes the most of the wanted arguments, and what it ignores."""
    best: tuple[str, set[str]] | None = None
    for name in intent.tools:
        tool = tools.get(name)
        if tool is None:
            continue
        ignored = wanted - tool.accepts
        if best is None or len(ignored) < len(best[1]):
            best = (name, ignored)
    return best or ("", wanted)


def _extract_sql(question: str) -> str | None:
    if match := _CODE.search(question):
        return match.group(1).strip()
    return question.strip() if _SQL_START.match(question) else None


def plan(question: str, tools: dict[str, Tool], now: datetime | None = None,
         resolve_table: Callable[[str], str | None] | None = None) -> Plan:
    """Decide what to run for a question: intent, tool and arguments (pure; `resolve_table` finds a database)."""
    now = now or datetime.now(UTC)
    text = " ".join(question.split())
    if match := _EXPLAIN.match(text):
        arguments = {"sql": match.group(2).strip()}
        if match.group(1):
            arguments["kind"] = match.group(1).upper()
        return Plan("explain", "explain", arguments)
    if (sql := _extract_sql(question)) is not None:
        return Plan("run_sql", "run_sql", {"sql": sql})
    control = _plan_control(text, tools, resolve_table)
    if control is not None:
        return control
    intent = next((i for i in INTENTS if i.pattern.search(text)), None)
    if intent is None:
        return Plan("unknown")
    window = parse_window(text, now)
    arguments: dict[str, Any] = {}
    database = parse_database(text)
    table_db, table = parse_table(text) if intent.name not in ("list_tables", "list_databases") else (None, None)
    if intent.name == "list_tables" and (match := re.search(r"\b(?:named|called|like|containing)\s+['\"`]?(\w+)",
                                                           text, re.IGNORECASE)):
        arguments["name_like"] = match.group(1)
    if table and not table_db and resolve_table is not None:
        table_db = resolve_table(table)
    if table_db:
        database = table_db
    if intent.name == "slow_queries" and table:
        arguments["table"] = f"{database}.{table}" if database else table
    elif table:
        arguments["table"] = table
    if database:
        arguments["database"] = database
    if (user := parse_user(text)) is not None and intent.name not in ("top_users", "table_schema"):
        arguments["user"] = user
    if (limit := parse_limit(text)) is not None:
        arguments["limit"] = limit
    if window is not None:
        arguments["start"], arguments["end"] = window.start, window.end
    tool_name, ignored = _pick_tool(intent, tools, set(arguments))
    if not tool_name:
        return Plan(intent.name, note="No tool for this question is available on this server.")
    kept = {k: v for k, v in arguments.items() if k not in ignored}
    note = f"(This tool cannot filter by {', '.join(sorted(ignored))}; showing all.)" if ignored - {"limit"} else ""
    if intent.name == "table_schema" and "table" not in kept:
        return Plan(intent.name, note="Which table? Name it, e.g. “columns of table system.parts”.")
    return Plan(intent.name, tool_name, kept, window, note)


def _plan_control(text: str, tools: dict[str, Tool], resolve_table: Callable[[str], str | None] | None) -> Plan | None:
    if match := _KILL_QUERY.search(text):
        return Plan("kill_query", "kill_query", {"query_id": match.group(1)})
    if match := _KILL_MUTATION.search(text):
        database, table = parse_table(text)
        if table and not database and resolve_table is not None:
            database = resolve_table(table)
        return Plan("kill_mutation", "kill_mutation",
                    {"mutation_id": match.group(1), "database": database or "", "table": table or ""})
    if _OPTIMIZE.search(text):
        database, table = parse_table(text)
        if table is None and (match := re.search(r"\boptimi[sz]e\s+(?:the\s+)?(?:table\s+)?([\w.]+)", text, re.I)):
            database, _, table = match.group(1).rpartition(".")
            database = database or None
        if table and not database and resolve_table is not None:
            database = resolve_table(table)
        return Plan("optimize_table", "optimize_table", {"database": database or "default", "table": table or ""})
    return None


def capabilities() -> str:
    """What the built-in assistant can answer, as a Markdown list of example questions."""
    lines = [f"- {intent.example}" for intent in INTENTS]
    lines.append("- a SQL query of your own (SELECT, SHOW, DESCRIBE), or `explain SELECT …`")
    return "\n".join(lines)


def _fmt(column: str, value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "—"
    if "bytes" in column or column in ("free_space", "total_space", "memory_usage"):
        try:
            return _readable_bytes(float(value))
        except (TypeError, ValueError):
            return str(value)
    if column.endswith("_ms"):
        return f"{value} ms"
    if column.endswith("_s"):
        return f"{value} s"
    if column.endswith("_pct"):
        return f"{value} %"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    text = str(value)
    return text if len(text) <= 60 else text[:59] + "…"


def _readable_bytes(value: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(value) < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.2f} {unit}"
        value /= 1024
    return f"{value:.2f} PiB"


def _describe_row(row: pd.Series, labels: list[str], values: list[str]) -> str:
    label = " / ".join(_fmt(c, row[c]) for c in labels)
    facts = ", ".join(f"{c} {_fmt(c, row[c])}" for c in values)
    return f"**{label}**" + (f" ({facts})" if facts else "")


_WINDOWED = frozenset({"failed_queries", "slow_queries", "top_users", "query_volume"})


def summarize(intent: Intent | None, run: ToolRun, window: Window | None = None) -> str:
    """A short factual summary of a tool result, built only from its rows."""
    if run.pending:
        return "This action changes the server, so it waits for your confirmation below."
    if run.error:
        return f"The query failed: {run.error}"
    frame = run.frame if run.frame is not None else pd.DataFrame()
    where = f" {window.label}" if window else ""
    if frame.empty:
        text = intent.empty if intent else "The query returned no rows"
        if window and intent and intent.name in _WINDOWED:
            text = f"{text}{where}"
        return text if text.endswith(".") else f"{text}."
    columns = [str(c) for c in frame.columns]
    if intent is None:
        head = frame.iloc[0]
        shown = ", ".join(f"{c} = {_fmt(c, head[c])}" for c in columns[:6])
        return f"The query returned {len(frame)} row{'s' if len(frame) != 1 else ''}. First row: {shown}."
    if intent.name == "server_info":
        row = frame.iloc[0]
        return "; ".join(f"{c}: {_fmt(c, row[c])}" for c in columns) + "."
    if intent.name == "query_volume":
        numeric = [c for c in columns if c != columns[0] and pd.api.types.is_numeric_dtype(frame[c])]
        totals = ", ".join(f"{int(frame[c].sum())} {c}" for c in numeric)
        peak_col = numeric[0] if numeric else None
        peak = ""
        if peak_col is not None and frame[peak_col].max() > 0:
            top = frame.loc[frame[peak_col].idxmax()]
            peak = f"; the busiest bucket starts at {_fmt(columns[0], top[columns[0]])} with {top[peak_col]} {peak_col}"
        return f"Over {len(frame)} time buckets{where}: {totals}{peak}."
    if intent.name == "replication":
        readonly = int(frame["is_readonly"].astype(int).sum()) if "is_readonly" in columns else 0
        delay = frame["absolute_delay"].max() if "absolute_delay" in columns else None
        health = "all writable" if readonly == 0 else f"{readonly} read-only"
        return f"{len(frame)} replicated tables, {health}" + (f"; the largest delay is {delay} s." if delay is not None
                                                              else ".")
    labels = [c for c in intent.label if c in columns] or columns[:1]
    values = [c for c in intent.value if c in columns and c not in labels]
    count = f"{len(frame)} {intent.noun}{where}"
    truncated = " (the row limit was reached)" if "limit" in run.arguments and len(frame) >= run.arguments["limit"] else ""
    tops = "; ".join(_describe_row(frame.iloc[i], labels, values) for i in range(min(3, len(frame))))
    lead = "Top" if intent.value else "Latest"
    if intent.name in ("list_tables", "list_databases", "table_schema", "disk_space", "merges", "mutations",
                       "running_queries"):
        lead = "First"
    return f"{count}{truncated}. {lead}: {tops}."


def table_resolver(conn: Connection) -> Callable[[str], str | None]:
    """A function that finds which database holds a table name (user databases first), for `plan`."""
    def resolve(table: str) -> str | None:
        try:
            rows = conn.query_df(sqlfiles.load("assistant/find_table"), {"table": table}, readonly=True)
        except Exception:  # a lookup that fails just leaves the database unknown
            return None
        return None if rows.empty else str(rows.iloc[0]["database"])
    return resolve


class BuiltinAssistant:
    """Answers without an LLM: plan, run one tool, summarise the rows."""

    label = LABEL

    def __init__(self, conn: Connection, tools: dict[str, Tool]) -> None:
        self.conn = conn
        self.tools = tools

    def respond(self, question: str, history: list[Any], turn: Any) -> Iterator[str | ToolRun]:
        """Yield the tool run and the answer text; record the new messages in `turn`."""
        chosen = plan(question, self.tools, resolve_table=table_resolver(self.conn))
        if chosen.intent == "unknown":
            text = ("I did not understand that question. Without a language model I answer monitoring questions "
                    "like these:\n\n" + capabilities())
            turn.say(text, metadata={"model": LABEL, "intent": "unknown"})
            yield text
            return
        if not chosen.tool or chosen.tool not in self.tools:
            if chosen.intent in ("kill_query", "kill_mutation", "optimize_table"):
                text = ("Control actions are switched off on this server; set CHM_ENABLE_CONTROL_ACTIONS=true to allow "
                        f"{chosen.intent.replace('_', ' ')} (it always asks for confirmation).")
            else:
                text = chosen.note or "No tool for this question is available on this server."
            turn.say(text, metadata={"model": LABEL, "intent": chosen.intent})
            yield text
            return
        run = run_tool(self.conn, self.tools[chosen.tool], chosen.arguments)
        turn.tool(run)
        yield run
        text = summarize(INTENTS_BY_NAME.get(chosen.intent), run, chosen.window)
        if chosen.note:
            text = f"{text} {chosen.note}"
        turn.say(text, metadata={"model": LABEL, "intent": chosen.intent, "tool": chosen.tool})
        yield text
