"""The built-in assistant (no LLM): finds the panel or health check that answers a question by retrieval over the
whole catalog (assistant/search.py), fills the parameters it can read from the question, runs it and writes a short
summary from the rows it got back. It never states a number that is not in the result."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd

from assistant.search import HEALTH, MIN_SCORE, Hit, asks_now, catalog_index, is_live, stems
from assistant.tools import Hosts, Tool, ToolRun, page_link, run_tool
from core.connection import Connection
from core.errors import ChmError
from dashboard.catalog import PANELS
from dashboard.explain import EXPLAIN_KINDS
from dashboard.panels import Panel, run_panel

LABEL = "built-in"
CONTROL_TOOLS = ("kill_query", "kill_mutation", "optimize_table")
_OVERVIEW = re.compile(r"\b(overview|summary|summari[sz]e|at a glance|overall|big picture)\b", re.IGNORECASE)
_HEALTH_FIRST = ("critical", "warning")
_NAME_LIKE = re.compile(r"\b(?:named|called|containing)\s+['\"`]?(\w+)", re.IGNORECASE)
_OF_TABLE_ITSELF = re.compile(r"\b(schema|columns?|describe|structure|ddl|create|definition|size|big|bytes|disk|"
                              r"space|compress\w*|partitions?|engine|ttl|ind(?:ex|ic)es|projections?)\b", re.IGNORECASE)
"""Words asking about a table itself (its schema, size, partitions) rather than what it holds: a system table
named beside them is the table asked about, not the one to read."""
_PATH = re.compile(r"(?<![\w/.])(/[\w.-]+(?:/[\w.-]+)*)/?")
"""A Keeper path in the question (`/clickhouse/tables`): the `path` a panel browses."""
_SNAKE = re.compile(r"(?<![\w.])([a-z][a-z0-9]*(?:_[a-z0-9]+)+)(?![\w.])")
"""A `snake_case` word: a setting's name, given to a panel filtering by name (`text`: "name contains")."""
_SYSTEM_DATABASES = frozenset({"system", "INFORMATION_SCHEMA", "information_schema"})
NEAR = 0.35
"""Entries scoring at least this share of the best one are close enough for the tie-breaks of `_rerank`."""
LOG_FACTOR = 0.5
"""A panel reading a window wins a windowed question from a live one when it scores at least this share of it."""
CHECK_FACTOR = 0.75
"""A health check's score counts this much against a panel's when both are close (the panel lists the rows)."""


@dataclass(frozen=True)
class Window:
    """A time window read from the question, with the words to repeat in the answer."""

    start: datetime
    end: datetime
    label: str


@dataclass
class Plan:
    """What the built-in assistant decided: the tool, its arguments, and the catalog entries it considered."""

    intent: str
    tool: str = ""
    arguments: dict[str, Any] = field(default_factory=dict)
    window: Window | None = None
    note: str = ""
    panels: tuple[str, ...] = ()
    hits: tuple[Hit, ...] = ()


_SQL_START = re.compile(r"^\s*(select|with|show\s+(tables|databases|create|processlist|columns|"
                        r"dictionaries|settings|grants|functions|indexes|clusters?|full))\b", re.IGNORECASE)
_EXPLAIN = re.compile(rf"^\s*explain\s+(?:({'|'.join(EXPLAIN_KINDS)})\s+)?((?:select|with)\b.*)$",
                      re.IGNORECASE | re.DOTALL)
"""A chat line asking for an EXPLAIN: the kind (one of the builder's) and the statement, which the builder checks."""
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
_OF_TABLE = re.compile(r"\b(?:of|for|in|on)\s+(?:the\s+)?['\"`]?([A-Za-z_][\w]*\.[A-Za-z_][\w]*)['\"`]?\s*"
                       r"(?:table)?\s*\??$", re.IGNORECASE)
_DATABASE = re.compile(r"\b(?:database|db|schema)\s+['\"`]?([A-Za-z_][\w]*)['\"`]?|\b(?:in|of|from)\s+(?:the\s+)?"
                       r"['\"`]?([A-Za-z_][\w]*)['\"`]?\s+(?:database|db)\b", re.IGNORECASE)
_NOT_NAMES = frozenset({"the", "a", "an", "is", "are", "x", "this", "that", "all", "each", "every", "my", "any",
                        "which", "what", "have", "has", "with", "by", "size", "now", "today", "yesterday", "last", "past", "most", "do", "does", "exist", "exists", "of", "in", "for", "on",
                        "queries", "query", "biggest", "largest", "big", "large", "huge", "running", "names", "name", "there", "and",
                        "take", "takes", "taking", "use", "uses", "using", "grow", "growing", "named", "called"})
_BY_USER_WORDS = frozenset({"size", "time", "duration", "memory", "count", "name", "table", "database", "user",
                            "users", "the", "a", "peak", "cpu", "total", "average", "avg", "hour", "minute", "day",
                            "partition", "host", "disk", "status", "type", "kind", "error", "errors", "default",
                            "shard", "replica", "query", "far", "reason", "rows", "bytes"})


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


def parse_path(text: str) -> str | None:
    """A Keeper path named in the question ("znodes under /clickhouse/tables"), or None."""
    match = _PATH.search(text)
    return match.group(1) if match else None


def parse_setting_name(text: str, tables: frozenset[str] = frozenset()) -> str | None:
    """The one `snake_case` name the question gives ("what is max_threads set to"), not a system table, or None."""
    names = {name for name in _SNAKE.findall(text) if name not in tables}
    return names.pop() if len(names) == 1 else None


def _extract_sql(question: str) -> str | None:
    if match := _CODE.search(question):
        return match.group(1).strip()
    return question.strip() if _SQL_START.match(question) else None


def _named(text: str) -> dict[str, str]:
    """The names a question gives (database, table, user, a name fragment), by parameter."""
    named: dict[str, str] = {}
    database = parse_database(text)
    table_db, table = parse_table(text)
    if table_db or database:
        named["database"] = table_db or database or ""
    if table:
        named["table"] = table
    if (user := parse_user(text)) is not None:
        named["user"] = user
    if match := _NAME_LIKE.search(text):
        named["name_like"] = match.group(1)
    if parse_limit(text) is not None:
        named["limit"] = ""
    return named


def _topic(text: str, named: dict[str, str]) -> str:
    """The question without the names it gives and the words introducing them: what it is about (case kept, so
    `CamelCase` and `ERROR_CODE` names still read as such)."""
    values = {v.lower() for v in named.values() if v}
    words = re.findall(r"[\w.@-]+", text)
    keywords = {"user": "user", "database": "database", "table": "table", "name_like": "named"}
    dropped = {keywords[k] for k in named if k in keywords and k != "table"}
    return " ".join(w for w in words if w.lower().strip(".") not in values and w.lower() not in dropped
                    and not any(w.lower() == f"{d}.{t}" for d in values for t in values))


def _rerank(hits: tuple[Hit, ...], named: set[str], windowed: bool = False, now: bool = False) -> tuple[Hit, ...]:
    """Among entries scoring close to the best, prefer the one that takes the names the question gives, then a
    panel listing the rows over the health check scoring them (`NEAR`, `CHECK_FACTOR`). A question naming a past
    window ("yesterday", "last 6 hours") counts a panel that cannot take one (it shows the present) as missing a
    name when a panel that can scores at least `LOG_FACTOR` of it: such a question is about a log. A question about
    this instant ("rn", "at the moment") counts the Health page and the checks that way beside a live view."""
    top = hits[0].score
    near = [hit for hit in hits if hit.score >= NEAR * top]
    logs = [hit.score for hit in near if hit.entry.panel is not None and "window" in hit.entry.panel.fillable]
    live = [hit.score for hit in near if now and is_live(hit.entry)]

    def key(hit: Hit) -> tuple[int, float]:
        panel = hit.entry.panel
        takes = set((*panel.fillable, *(p.name for p in panel.params))) if panel else set()
        if panel is not None and _qualified_table(panel):
            takes.add("database")
        if panel is not None and _by_name(panel):
            takes.add("setting_name")
        present_only = (windowed and panel is not None and "window" not in panel.fillable
                        and any(score >= LOG_FACTOR * hit.score for score in logs))
        judged = hit.entry.kind != "panel" and any(score >= LOG_FACTOR * hit.score for score in live)
        return (len(named & takes) - present_only - judged,
                hit.score * (CHECK_FACTOR if hit.entry.kind == "check" else 1.0))

    ranked = sorted(near, key=key, reverse=True)
    return (*ranked, *(hit for hit in hits if hit not in near))


def _qualified_table(panel: Panel) -> bool:
    """Whether the panel's `table` parameter takes `db.table` (so it filters by database too)."""
    param = panel.param("table")
    return param is not None and "db.table" in param.description


def _by_name(panel: Panel) -> bool:
    """Whether the panel filters its rows by a name (a `text` parameter that is a name filter: settings, metrics)."""
    param = panel.param("text")
    return param is not None and "name" in param.description


def _choices(panel: Panel, text: str) -> dict[str, Any]:
    """Choice parameters the question names beyond the panel's own title ("most memory" → order by max_memory)."""
    asked = stems(text) - stems(panel.title)
    chosen: dict[str, Any] = {}
    for param in panel.params:
        scored = [(len(stems(str(choice)) & asked), choice) for choice in param.choices]
        best = max(scored, key=lambda pair: pair[0], default=(0, None))
        if best[0] > 0:
            chosen[param.name] = best[1]
    return chosen


def _arguments(panel: Panel, text: str, window: Window | None,
               resolve_table: Callable[[str], str | None] | None) -> tuple[dict[str, Any], str]:
    """The panel's arguments read from the question, and a note naming what it cannot filter by."""
    wanted: dict[str, Any] = {}
    database = parse_database(text)
    table_db, table = parse_table(text) if panel.param("table") or panel.param("database") else (None, None)
    if table and not table_db and resolve_table is not None:
        table_db = resolve_table(table)
    database = table_db or database
    if table and _qualified_table(panel) and database:
        wanted["table"] = f"{database}.{table}"
    elif table:
        wanted["table"] = table
    if database:
        wanted["database"] = database
    if (user := parse_user(text)) is not None:
        wanted["user"] = user
    if (limit := parse_limit(text)) is not None:
        wanted["limit"] = limit
    kept = {k: v for k, v in wanted.items() if k in panel.fillable}
    if (match := _NAME_LIKE.search(text)) and panel.param("name_like") is not None:
        kept["name_like"] = match.group(1)
    if panel.param("path") is not None and (path := parse_path(text)) is not None:
        kept["path"] = path
    if _by_name(panel) and (name := parse_setting_name(text, catalog_index().tables)) is not None:
        kept["text"] = name
    if window is not None and "window" in panel.fillable:
        kept["start"], kept["end"] = window.start, window.end
    kept.update(_choices(panel, text))
    if kept.get("database") in _SYSTEM_DATABASES and panel.param("include_system") is not None:
        kept["include_system"] = 1
    ignored = sorted(set(wanted) - set(kept) - {"limit"})
    note = f"({panel.title} cannot filter by {', '.join(ignored)}; showing all.)" if ignored else ""
    return kept, note


def plan(question: str, tools: dict[str, Tool], now: datetime | None = None,
         resolve_table: Callable[[str], str | None] | None = None, *, as_sql: bool = True) -> Plan:
    """Decide what to run for a question: the tool and its arguments (pure; `resolve_table` finds a database).

    With `as_sql` off, a question that starts like SQL is read as words (the engine did not parse it).
    """
    now = now or datetime.now(UTC)
    text = " ".join(question.split())
    if as_sql and (match := _EXPLAIN.match(text)):
        arguments = {"sql": match.group(2).strip()}
        if match.group(1):
            arguments["kind"] = match.group(1).upper()
        return Plan("explain", "explain", arguments)
    if as_sql and (sql := _extract_sql(question)) is not None:
        return Plan("run_sql", "run_sql", {"sql": sql})
    control = _plan_control(text, tools, resolve_table)
    if control is not None:
        return control
    named = _named(text)
    index = catalog_index()
    itself = _OF_TABLE_ITSELF.search(text) is not None
    hits = tuple(index.search(_topic(text, named), 8, mentions="" if itself else text))
    if not hits or hits[0].score < MIN_SCORE:
        return Plan("unknown", hits=hits[:3])
    window = parse_window(text, now)
    about = set(named) | ({"path"} if parse_path(text) else set())
    about |= {"setting_name"} if parse_setting_name(text, index.tables) else set()
    if named.get("database") == "system" and named.get("table") in index.tables and not itself:
        about -= {"database", "table"}  # `system.errors` names what to read, not a table to filter a panel by
    hits = _rerank(hits, about, window is not None, asks_now(text))
    if hits[0].entry.name == HEALTH:
        return Plan(HEALTH, "health", {}, window, panels=(HEALTH,), hits=hits)
    chosen = [hits[0].entry]
    if _OVERVIEW.search(text) and len(hits) > 1 and hits[1].entry.panel is not None:
        chosen.append(hits[1].entry)
    first = chosen[0].panel
    assert first is not None
    arguments, note = _arguments(first, text, window, resolve_table)
    return Plan(first.name, "run_panel", {"name": first.name, "arguments": arguments}, window, note,
                tuple(entry.name for entry in chosen), hits)


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


_BYTE_COLUMNS = frozenset({"free_space", "total_space", "unreserved_space", "keep_free_space"})


def _fmt(column: str, value: Any) -> str:
    """One value as people read it: bytes in KiB/MiB/GiB, durations in ms/s/min/h, percentages, thousands."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "—"
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        text = str(value)
        return text if len(text) <= 60 else text[:59] + "…"
    if "bytes" in column or "memory" in column or column in _BYTE_COLUMNS:
        return _readable_bytes(float(value))
    if column.endswith("_ms"):
        return f"{value:,.0f} ms" if abs(value) < 1000 else _seconds(value / 1000)
    if column.endswith(("_s", "_seconds")) or column in ("elapsed", "uptime"):
        return _seconds(float(value))
    if column.endswith(("_pct", "percent")):
        return f"{value:,.1f} %"
    return f"{value:,}" if isinstance(value, int) else f"{value:,.2f}".rstrip("0").rstrip(".")


def _seconds(value: float) -> str:
    if abs(value) < 60:
        return f"{value:,.2f} s".replace(".00 s", " s")
    if abs(value) < 3600:
        return f"{value / 60:,.1f} min"
    return f"{value / 3600:,.1f} h"


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


_LABELS = ("database", "table", "name", "user", "error", "check", "disk", "metric", "event", "query_id", "host",
           "partition", "mutation_id", "title", "setting", "column")


def _numeric(frame: pd.DataFrame, skip: set[str]) -> list[str]:
    return [str(c) for c in frame.columns if str(c) not in skip and pd.api.types.is_numeric_dtype(frame[c])
            and not pd.api.types.is_bool_dtype(frame[c])]


def _series_summary(panel: Panel, frame: pd.DataFrame, where: str) -> str:
    ys = [y for y in panel.y if y in frame.columns] or _numeric(frame, {panel.x or ""})
    parts = []
    for column in ys[:3]:
        values = pd.to_numeric(frame[column], errors="coerce").dropna()
        if values.empty:
            continue
        parts.append(f"{column} peak {_fmt(column, values.max())}, average {_fmt(column, values.mean())}")
    return f"{panel.title}{where}, over {len(frame)} time buckets: " + ("; ".join(parts) or "no values") + "."


def summarize(panel: Panel | None, run: ToolRun, window: Window | None = None) -> str:
    """A short factual summary of a tool result, built only from its rows, with units as people read them."""
    if run.pending:
        return "This action changes the server, so it waits for your confirmation below."
    if run.error:
        return f"The query failed: {run.error}"
    frame = run.frame if run.frame is not None else pd.DataFrame()
    windowed = panel is not None and "window" in panel.fillable
    where = f" {window.label}" if window and windowed else " in the last hour" if windowed else ""
    title = panel.title if panel is not None else "The query"
    if frame.empty:
        return f"{title}: no rows{where or ' right now'}."
    columns = [str(c) for c in frame.columns]
    if panel is None:
        head = frame.iloc[0]
        shown = ", ".join(f"{c} = {_fmt(c, head[c])}" for c in columns[:6])
        return f"The query returned {len(frame)} row{'s' if len(frame) != 1 else ''}. First row: {shown}."
    if panel.kind in ("line", "area") or (panel.kind == "bar" and panel.x == "t"):
        return _series_summary(panel, frame, where)
    if panel.kind in ("kpi", "text"):
        row = frame.iloc[0]
        shown = [c for c in (panel.y or tuple(columns)) if c in columns][:8]
        return f"{title}{where}: " + "; ".join(f"{c.replace('_', ' ')} {_fmt(c, row[c])}" for c in shown) + "."
    labels = [c for c in _LABELS if c in columns][:2] or columns[:1]
    values = [c for c in (panel.y or ()) if c in columns] or _numeric(frame, set(labels))[:2]
    ordered = str(run.params.get("order_by", ""))
    if ordered in columns:
        values = [ordered, *(c for c in values if c != ordered)]
    values = values or [c for c in ("value", "status", "reason") if c in columns][:1]
    tops = "; ".join(_describe_row(frame.iloc[i], labels, values[:2]) for i in range(min(3, len(frame))))
    limit = run.params.get("limit")
    truncated = " (the row limit was reached)" if isinstance(limit, int) and len(frame) >= limit else ""
    return f"{len(frame)} {title.lower()}{where}{truncated}. First: {tops}."


def summarize_health(run: ToolRun) -> str:
    """The health checks' findings: critical and warning first, each with its value and threshold."""
    if run.error:
        return f"The health checks failed: {run.error}"
    frame = run.frame if run.frame is not None else pd.DataFrame()
    counts = frame["status"].value_counts() if not frame.empty else pd.Series(dtype=int)
    findings = frame[frame["status"].isin(_HEALTH_FIRST)] if not frame.empty else frame
    tally = ", ".join(f"{int(counts.get(s, 0))} {s}" for s in ("critical", "warning", "ok", "no data", "n/a"))
    if findings.empty:
        return f"No critical or warning findings in {len(frame)} checks ({tally})."
    lines = [f"{len(findings)} of {len(frame)} checks need attention ({tally}):"]
    for _, row in findings.iterrows():
        unit = str(row["unit"])
        value = _fmt_unit(float(row["value"]), unit)
        limit = _fmt_unit(float(row["critical"] if row["status"] == "critical" else row["warning"]), unit)
        lines.append(f"- **{row['status']}** {row['title']}: {value} (threshold {limit}). {row['action']}")
    return "\n".join(lines)


def _fmt_unit(value: float, unit: str) -> str:
    if unit == "s":
        return _seconds(value)
    number = f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"
    return f"{number} {unit}".strip()


def _nearest(hits: tuple[Hit, ...]) -> str:
    shown = [hit for hit in hits if hit.score > 0] or list(hits)
    return "\n".join(f"- [{hit.entry.title}]({page_link(hit.entry.name)}): {hit.entry.description}"
                     for hit in shown[:3])


def table_resolver(conn: Connection) -> Callable[[str], str | None]:
    """A function that finds which database holds a table name (user databases first), for `plan`."""
    def resolve(table: str) -> str | None:
        try:
            rows = run_panel(conn, PANELS["find_table"], {"table": table})
        except ChmError:  # a lookup that fails just leaves the database unknown
            return None
        return None if rows.empty else str(rows.iloc[0]["database"])
    return resolve


class BuiltinAssistant:
    """Answers without an LLM: retrieve the panel(s), run them, summarise the rows, link to the dashboard."""

    label = LABEL

    def __init__(self, conn: Connection, tools: dict[str, Tool], hosts: Hosts | None = None) -> None:
        self.conn = conn
        self.tools = tools
        self.hosts = hosts

    def _say(self, turn: Any, text: str, **metadata: Any) -> str:
        turn.say(text, metadata={"model": LABEL, **metadata})
        return text

    def respond(self, question: str, history: list[Any], turn: Any) -> Iterator[str | ToolRun]:
        """Yield the tool runs and the answer text; record the new messages in `turn`."""
        chosen = plan(question, self.tools, resolve_table=table_resolver(self.conn))
        if chosen.tool == "run_sql" and not _CODE.search(question):
            attempt = run_tool(self.conn, self.tools["run_sql"], chosen.arguments, hosts=self.hosts)
            if attempt.error_name != "SYNTAX_ERROR":
                turn.tool(attempt)
                yield attempt
                yield self._say(turn, summarize(None, attempt), intent="run_sql", tool="run_sql")
                return
            chosen = plan(question, self.tools, resolve_table=table_resolver(self.conn), as_sql=False)
        if chosen.intent == "unknown":
            yield self._say(turn, "I found no panel that answers that well enough. The nearest ones:\n\n"
                            + _nearest(chosen.hits) + "\n\nYou can also ask a SQL query of your own (SELECT, SHOW, "
                            "DESCRIBE) or `explain SELECT …`.", intent="unknown")
            return
        if chosen.tool not in self.tools:
            text = chosen.note or "No tool for this question is available on this server."
            if chosen.tool in CONTROL_TOOLS:
                text = ("Control actions are switched off on this server; set CHM_ENABLE_CONTROL_ACTIONS=true to "
                        f"allow {chosen.tool.replace('_', ' ')} (it always asks for confirmation).")
            yield self._say(turn, text, intent=chosen.intent)
            return
        runs = [run_tool(self.conn, self.tools[chosen.tool], chosen.arguments, hosts=self.hosts)]
        for name in chosen.panels[1:]:
            arguments, _ = _arguments(PANELS[name], question, chosen.window, None)
            runs.append(run_tool(self.conn, self.tools["run_panel"], {"name": name, "arguments": arguments},
                                 hosts=self.hosts))
        texts = []
        for run in runs:
            turn.tool(run)
            yield run
            if chosen.tool == "health":
                texts.append(summarize_health(run))
            else:
                summary = summarize(PANELS.get(run.panel), run, chosen.window)
                texts.append(summary + (f" [Open {PANELS[run.panel].title}]({run.link})" if run.link else ""))
        if chosen.tool == "health" and runs[0].link:
            texts.append(f"[Open the Health page]({runs[0].link})")
        if chosen.note:
            texts.append(chosen.note)
        yield self._say(turn, "\n\n".join(texts), intent=chosen.intent, tool=chosen.tool,
                        panels=list(chosen.panels))
