"""Users' SQL, read by ClickHouse: the engine parses each statement and the checks walk the tree it returns.

The engine that will run a statement parses it first (`parseQueryToJSON`, bound as a query parameter, so nothing
of the statement is executed and a second statement is a syntax error). Names arrive decoded by ClickHouse's own
lexer: escapes (`\\xHH`, `\\\\`), doubled quotes, backquotes, double quotes and comments are gone before any check
runs, so there is no second, hand-written reading of the language to disagree with it. On the tree:

- allowlists where the list can be closed: statement kinds, table functions (each with rules for its arguments),
  databases (`system` and the server's data databases); `SETTINGS`, `FORMAT`, `INTO OUTFILE` and query parameters
  are refused;
- a deny list where it cannot (scalar functions): every function that reaches files, the network, dictionaries or
  other tables by name, or programs, and the server's user-defined functions (their bodies are not in the tree);
- protected tables (the conversation store's) may not be named in any part of any name, table or column.

The statement then runs with `readonly=1` and the app's limits: the server is the second lock. The statement that
runs is the engine's own formatting of what was parsed (`formatQuery`), so what was checked is what runs.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from core import sqlfiles
from core.errors import ParserUnavailableError, QueryError, ReadOnlyViolation

KINDS = "SELECT, WITH, SHOW, DESCRIBE and EXPLAIN"
READ_KINDS = frozenset({"SelectWithUnionQuery", "ShowTablesQuery", "ShowColumnsQuery", "ExplainQuery", "DescribeQuery"})
"""Statement kinds (the parser's node types) a user may run; DESCRIBE is read from `EXPLAIN AST` (see `_describe`)."""

GENERATORS = frozenset({
    "numbers", "numbers_mt", "zeros", "zeros_mt", "generate_series", "generateseries", "generaterandom", "values",
    "primes", "null", "view",
})
"""Table functions that read no table and reach nothing outside: they make rows from their arguments (`view` runs
its subquery, which is checked like the rest of the tree)."""
SYSTEM_TABLE_FUNCTIONS = frozenset({
    "merge", "cluster", "clusterallreplicas", "mergetreeindex", "mergetreeprojection", "mergetreeanalyzeindexes",
    "mergetreetextindex", "mergetreecodecblockcounts", "mergetreepartinfo",
})
"""Table functions allowed over system tables only: `merge('system', …)` for rotated logs, `cluster*` to fan out
over the server's own replicas, `mergeTree*` to inspect a system table's parts."""

DENIED_FUNCTIONS = frozenset({
    "file", "url", "s3", "remote", "remotesecure", "executable", "input",
    "joinget", "joingetornull", "hascolumnintable", "getclienthttpheader", "showcertificate",
    "catboostevaluate", "addresstoline", "addresstolinewithinlines", "addresstosymbol",
    "sleep", "sleepeachrow", "__getscalar",
})
"""Scalar functions refused: they read files (`file`, introspection's debug info), the network (`url`, the AI
functions), a table by name (`joinGet`, `hasColumnInTable`), a model file (`catboostEvaluate`), the
request's headers or the server's certificate, or hold a thread idle (`sleep`)."""
DENIED_PREFIXES = ("dict", "naivebayesclassifier", "ai")
"""Every dictionary function (`dictGet*`, `dictHas`, `dictIsIn`…): a dictionary's source may be any table (the
conversation table too), a file, a URL or a program; the AI functions (`aiGenerate`, `aiEmbed`…) call a model over
the network; `naiveBayesClassifier*` reads a model file."""
IN_FUNCTIONS = frozenset({
    "in", "notin", "globalin", "globalnotin", "nullin", "notnullin", "globalnullin", "globalnotnullin",
})
"""Functions whose second argument may name a table (`x IN db.t`)."""

_protected_lock = threading.Lock()
_protected: set[str] = set()


def protect(table: str) -> None:
    """Never let users' SQL name `table` (nor any name starting with it): called by the conversation store."""
    with _protected_lock:
        _protected.add(table.lower())


def protected() -> frozenset[str]:
    """The table names users' SQL may not name (lower case)."""
    with _protected_lock:
        return frozenset(_protected)


@dataclass(frozen=True)
class Policy:
    """What a statement may reach.

    `tables` None means any table of an allowed database; otherwise only those unqualified names (and the
    statement's own CTEs). `databases` None means any database (the app's own SQL); otherwise only those.
    """

    kinds: frozenset[str] = READ_KINDS
    databases: frozenset[str] | None = None
    tables: frozenset[str] | None = None
    system_functions: bool = True
    trusted: bool = False
    hidden: frozenset[str] = field(default_factory=frozenset)
    user_functions: frozenset[str] = field(default_factory=frozenset)


TRUSTED = Policy(trusted=True)
"""The app's own SQL: any database, query parameters; still one read statement, no outside reach."""


def user_policy(databases: frozenset[str] | None = None) -> Policy:
    """Users' statements (chat, `run_sql`, SQL pages): `system` and the server's data databases, never a protected
    table."""
    return Policy(databases=databases, hidden=protected())


def console_policy(tables: frozenset[str] = frozenset({"threads", "messages"})) -> Policy:
    """The History console: SELECT over `threads` and `messages` (and the statement's own CTEs) and nothing else."""
    return Policy(kinds=frozenset({"SelectWithUnionQuery"}), databases=frozenset(), tables=tables,
                  system_functions=False, hidden=protected())


@dataclass(frozen=True)
class Checked:
    """A statement the guard accepted: the engine's formatting of it (what runs) and its parsed tree."""

    statement: str
    tree: dict[str, Any]


def _kind_word(node_type: str) -> str:
    return node_type.removesuffix("Query").upper() or node_type


def _describe(conn: Any, statement: str) -> dict[str, Any]:
    """The tree of a DESCRIBE, which `parseQueryToJSON` cannot serialise, read from `EXPLAIN AST`.

    Only the closed shape `DescribeQuery > TableExpression > TableIdentifier name` is accepted, with a plain name,
    so the text form's lack of quoting cannot matter; anything else is refused.
    """
    lines = [row[0] for row in conn.query_rows("EXPLAIN AST " + statement)]
    # The transport's own FORMAT and SETTINGS hang under the root; a user's SETTINGS would merge into that `Set` and
    # cannot loosen anything: the statement runs with readonly=1, so the server refuses a changed limit.
    shape = [line.strip() for line in lines if line not in (" Identifier Native", " Set")]
    kind = shape[0].split(" ", 1)[0] if shape else ""
    if kind == "Explain":
        inner = next((line.split(" ", 1)[0] for line in shape[1:] if line != "Set"), "")
        raise ReadOnlyViolation(f"EXPLAIN may only explain a read-only query, not {_kind_word(inner)}")
    if kind != "DescribeQuery":
        raise ReadOnlyViolation(f"only {KINDS} are allowed here, not {_kind_word(kind)}")
    if len(shape) == 3 and shape[1].startswith("TableExpression") and shape[2].startswith("TableIdentifier "):
        name = shape[2].removeprefix("TableIdentifier ")
        parts = name.split(".")
        if len(parts) <= 2 and all(part.replace("_", "").isalnum() for part in parts):
            return {"type": "DescribeQuery", "table_expression": {"type": "TableExpression", "database_and_table_name": {
                "type": "TableIdentifier", "name": name, **({"name_parts": parts} if len(parts) == 2 else {})}}}
    raise ReadOnlyViolation("DESCRIBE takes one table here (DESCRIBE db.table); query system.columns for more")


def parse(conn: Any, sql: str, *, fallback: bool = True) -> tuple[str, dict[str, Any]]:
    """Parse one statement on `conn`'s engine: (its formatting, its tree). A syntax error is a QueryError named
    SYNTAX_ERROR; a statement kind the parser cannot serialise is read through `_describe` or refused.

    A server without `parseQueryToJSON` (before 26.9) has the statement parsed by this process's own ClickHouse
    engine (`fallback`): a newer parser of the same language, whose formatting of the statement is what then runs
    on the server, so the server reads the names that were checked. Without `fallback` such a server raises
    ParserUnavailableError."""
    if not isinstance(sql, str) or not sql.strip():
        raise ReadOnlyViolation(f"empty statement: write one {KINDS} query")
    try:
        rows = conn.query_rows(sqlfiles.load("guard/parse"), {"statement": sql})
    except QueryError as exc:
        if exc.name == "UNKNOWN_FUNCTION":
            if fallback:
                from core.connection import parser_connection

                return parse(parser_connection(), sql, fallback=False)
            raise ParserUnavailableError(
                "this server cannot parse statements for the guard (parseQueryToJSON needs a newer ClickHouse): "
                "typed SQL is not available on it; use the dashboard's pages and the assistant's tools"
            ) from exc
        if exc.name == "SYNTAX_ERROR":
            where = str(exc).split(": In scope", 1)[0]  # the rest repeats the whole statement, twice
            raise QueryError(f"Syntax error: {where}", code=exc.code, name=exc.name) from exc
        if exc.name != "BAD_ARGUMENTS":
            raise
        statement = conn.query_rows(sqlfiles.load("guard/format"), {"statement": sql})[0][0]
        return statement, _describe(conn, statement)
    statement, tree = rows[0]
    return statement, json.loads(tree)


def check(conn: Any, sql: Any, policy: Policy | None = None) -> Checked:
    """Parse `sql` on `conn` and accept it under `policy` (users' by default); else raise ReadOnlyViolation."""
    statement, tree = parse(conn, sql, fallback=policy is None or not policy.trusted)
    if policy is None or not policy.trusted:
        databases, functions = conn.query_rows(sqlfiles.load("guard/server_names"))[0]
        if policy is None:
            policy = user_policy(frozenset(databases) | {"system", "information_schema", "INFORMATION_SCHEMA"})
        policy = Policy(policy.kinds, policy.databases, policy.tables, policy.system_functions, policy.trusted,
                        policy.hidden, frozenset(name.lower() for name in functions))
    check_tree(tree, policy)
    return Checked(statement, tree)


def check_tree(tree: dict[str, Any], policy: Policy) -> None:
    """Accept a parsed statement under `policy`; raise ReadOnlyViolation naming the first thing refused."""
    kind = tree.get("type", "")
    if kind not in policy.kinds:
        allowed = "SELECT and WITH queries" if policy.kinds == {"SelectWithUnionQuery"} else KINDS
        raise ReadOnlyViolation(f"only {allowed} are allowed here, not {_kind_word(kind)}")
    if kind == "ExplainQuery":
        inner = tree.get("query") or {}
        if inner.get("type") not in READ_KINDS:
            raise ReadOnlyViolation(f"EXPLAIN may only explain a read-only query, not {_kind_word(inner.get('type', ''))}")
    if not policy.trusted and any(node["type"] == "QueryParameter" for node, _, _ in _walk(tree)):
        raise ReadOnlyViolation("query parameters ({name:Type}) are not available here: write the value itself")
    ctes = _top_level_ctes(tree)
    for node, key, parent in _walk(tree):
        _check_node(node, key, parent, policy, ctes)


def _top_level_ctes(tree: dict[str, Any]) -> frozenset[str]:
    """Names of the statement's outermost WITH tables: visible everywhere in it (a nested WITH's are not)."""
    selects = (tree.get("list_of_selects") or {}).get("children") or []
    return frozenset(
        element["name"] for select in selects for element in (select.get("with") or {}).get("children") or []
        if element.get("type") == "WithElement" and element.get("name")
    )


def _walk(node: Any, key: str = "", parent: str = "") -> Iterator[tuple[dict[str, Any], str, str]]:
    """Every node of the tree with the key it hangs under (`table_function`, `settings`…) and its parent's type."""
    if isinstance(node, dict):
        if "type" in node:
            yield node, key, parent
            parent = node["type"]
        for child_key, value in node.items():
            if isinstance(value, dict):
                yield from _walk(value, child_key, parent)
            elif isinstance(value, list):
                yield from _walk(value, key if child_key == "children" else child_key, parent)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item, key, parent)


def _check_node(node: dict[str, Any], key: str, parent: str, policy: Policy, ctes: frozenset[str]) -> None:
    kind = node["type"]
    if node.get("out_file") or node.get("is_into_outfile_with_stdout"):
        raise ReadOnlyViolation("INTO OUTFILE writes a file: not allowed here")
    if node.get("format_ast"):
        raise ReadOnlyViolation("FORMAT is chosen by the app: remove the FORMAT clause")
    if kind == "SetQuery" and parent != "ExplainQuery":  # an EXPLAIN's own options (indexes = 1) change nothing
        names = ", ".join(str(change.get("name", "?")) for change in node.get("changes", []))
        raise ReadOnlyViolation(f"SETTINGS ({names}) are not allowed here: the app sets the limits and read-only mode")
    if kind == "TableIdentifier":
        parts = node.get("name_parts") or [node.get("name", "")]
        if not policy.trusted or all(parts):
            _check_table(parts, policy, ctes)
    elif kind == "Identifier":
        _check_hidden(node.get("name_parts") or [node.get("name", "")], policy)
    elif kind == "Function":
        name = str(node.get("name", ""))
        arguments = (node.get("arguments") or {}).get("children") or []
        if key == "table_function":
            _check_table_function(name, arguments, policy)
        else:
            _check_function(name, arguments, policy, ctes)
    elif kind == "ShowTablesQuery":
        database = (node.get("from") or {}).get("name", "")
        if database and policy.databases is not None and database not in policy.databases:
            raise ReadOnlyViolation(f"the database `{database}` cannot be read here")
    elif kind == "ShowColumnsQuery":
        _check_table([p for p in (node.get("database", ""), node.get("table", "")) if p], policy, ctes)


def _check_hidden(parts: list[str], policy: Policy) -> None:
    for part in parts:
        if any(part.lower().startswith(hidden) for hidden in policy.hidden):
            raise ReadOnlyViolation(
                f"`{part}` is the conversation table (or named after it): conversations are not readable from SQL "
                "here; the History console's `threads` and `messages` hold your own"
            )


def _check_table(parts: list[str], policy: Policy, ctes: frozenset[str]) -> None:
    _check_hidden(parts, policy)
    name = ".".join(parts)
    if policy.tables is not None:
        if len(parts) != 1 or parts[0] not in policy.tables | ctes:
            offered = ", ".join(f"`{t}`" for t in sorted(policy.tables))
            raise ReadOnlyViolation(f"the console reads only {offered} (your rows), not `{name}`")
        return
    if len(parts) > 1 and policy.databases is not None and parts[0] not in policy.databases:
        raise ReadOnlyViolation(f"the database `{parts[0]}` cannot be read here")


def _literal_text(node: dict[str, Any]) -> str | None:
    """The text of a string literal or a plain identifier argument; None for anything computed."""
    if node.get("type") == "Literal" and (node.get("value") or {}).get("field_type") == "String":
        return str(node["value"]["value"])
    if node.get("type") == "Identifier":
        return str(node.get("name", ""))
    return None


def _check_table_function(name: str, arguments: list[dict[str, Any]], policy: Policy) -> None:
    lower = name.lower()
    if lower in GENERATORS:
        return
    if lower in SYSTEM_TABLE_FUNCTIONS and policy.system_functions:
        if lower.startswith("cluster"):
            target = arguments[1] if len(arguments) > 1 else {}
            parts = target.get("name_parts") if target.get("type") == "Identifier" else None
            database = parts[0] if parts else _literal_text(target) if len(arguments) > 2 else None
        else:
            database = _literal_text(arguments[0]) if arguments else None
        if database == "system":
            return
        raise ReadOnlyViolation(f"{name}() may only read system tables here: write {name}('system', …)"
                                if not lower.startswith("cluster") else
                                f"{name}() may only read system tables here: write {name}('cluster', system.table)")
    allowed = "numbers, zeros, generateRandom, values, view" + (
        ", and merge, cluster, clusterAllReplicas, mergeTree* over system tables" if policy.system_functions else "")
    raise ReadOnlyViolation(f"the table function {name}() is not allowed here (allowed: {allowed})")


def _check_function(name: str, arguments: list[dict[str, Any]], policy: Policy, ctes: frozenset[str]) -> None:
    lower = name.lower()
    if lower in DENIED_FUNCTIONS or lower.startswith(DENIED_PREFIXES):
        raise ReadOnlyViolation(
            f"the function {name}() reaches outside the query (files, network, dictionaries, other tables or "
            "programs) and is not allowed here"
        )
    if lower in policy.user_functions:
        raise ReadOnlyViolation(f"{name}() is a user-defined function: its body is not checked, so it is not allowed")
    if lower in IN_FUNCTIONS and len(arguments) > 1 and arguments[1].get("type") == "Identifier":
        target = arguments[1]
        _check_table(target.get("name_parts") or [target.get("name", "")], policy, ctes)


_trusted_lock = threading.Lock()
_trusted: set[str] = set()
_no_parser: set[str] = set()
"""Servers (URL or label) that cannot parse for the guard: there the app's own SQL relies on the server's
`readonly=1` alone (the suite checks the same files on the embedded engine)."""


def check_trusted(conn: Any, sql: str) -> None:
    """Accept one of the app's own statements (parsed once per text and process) or raise ReadOnlyViolation."""
    server = getattr(conn, "url", "") or getattr(conn, "label", "")
    with _trusted_lock:
        if sql in _trusted or server in _no_parser:
            return
    try:
        check(conn, sql, TRUSTED)
    except ParserUnavailableError:
        with _trusted_lock:
            _no_parser.add(server)
        return
    with _trusted_lock:
        if len(_trusted) >= 4096:
            _trusted.clear()
        _trusted.add(sql)


def check_shipped(conn: Any) -> dict[str, str]:
    """Run every read-only SQL file the app ships through the checks: name → reason, for each one refused."""
    try:
        conn.query_rows(sqlfiles.load("guard/parse"), {"statement": "SELECT 1"})
    except QueryError as exc:
        if exc.name == "UNKNOWN_FUNCTION":
            return {}  # a server without the parser function: the suite checks the same files on the embedded engine
        raise
    refused = {}
    for name in shipped_names():
        if name in FRAGMENTS:
            continue
        try:
            check_trusted(conn, sqlfiles.load(name))
        except ReadOnlyViolation as exc:
            refused[name] = str(exc)
    return refused


FRAGMENTS = ("history/console_scope",)
"""Shipped SQL that is the head of a statement, checked where it is completed (`history.console.wrap`)."""
WRITE_AREAS = ("store/", "postgres/", "d1/", "bench/", "control/", "alerts/create_table", "demo/")
"""SQL areas that write or are not ClickHouse: the store, other databases' SQL, the bench seeder, control actions,
the alert table's creation and the demo workload (embedded engine only)."""


def shipped_names() -> list[str]:
    """The shipped SQL files that run read-only (all but WRITE_AREAS)."""
    return [name for name in sqlfiles.all_names() if not name.startswith(WRITE_AREAS)]
