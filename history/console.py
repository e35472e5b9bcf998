"""The read-only SQL console over the conversation table, scoped to the viewer's rows unless they are an admin.

A console query reads two names, `threads` and `messages`: CTEs (`sql/history/console_scope.sql`) holding the live
rows in scope. Four locks keep a user to their own rows:

1. `chstore.guard.check`, the same guard as the assistant's `run_sql` (one read-only statement, no outside reach);
2. for non-admins, `check_scoped`: only SELECT/WITH; no query parameters; the store's base table (or any table
   named after it) may not be named (not even inside a string, which `merge()` regexes could use); no function that
   reads a table by name (`merge`, `cluster`, `loop`, `joinGet`, `dict*`…); no other database; balanced parentheses, so the statement
   cannot step out of the subquery it is wrapped in;
3. the wrapped statement's CTEs filter by `{user_id:String}`;
4. the server itself: `additional_table_filters` on the base table restricts every read of it to the user's
   rows whatever the query says, and `readonly=1` forbids the query from changing that setting.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from chstore import ConversationStore, guard, sqlfiles
from chstore.errors import ReadOnlyViolation, ValidationError
from history.queries import Scope, store_tables

TEMPLATE_DIR = sqlfiles.SQL_DIR / "history" / "console"
TABLE_FUNCTIONS = frozenset({
    "merge", "cluster", "clusterallreplicas", "loop", "mergetreeindex", "mergetreeprojection",
    "mergetreeanalyzeindexes", "mergetreepartinfo", "joinget", "joingetornull", "dictionary", "hascolumnintable",
    "viewifpermitted", "table",
})
"""Functions that read a table named in their arguments: they could reach the base tables around the CTEs."""
SCOPED_NAMES = ("threads", "messages")
SYSTEM_DATABASES = frozenset({"system", "information_schema"})


@dataclass(frozen=True)
class Template:
    """A ready-made console query: its file stem, title (first comment line) and SQL."""

    name: str
    title: str
    sql: str


def templates() -> list[Template]:
    """The console's templates, from `sql/history/console/*.sql`."""
    found = []
    for path in sorted(Path(TEMPLATE_DIR).glob("*.sql")):
        text = path.read_text(encoding="utf-8")
        first = text.splitlines()[0] if text else ""
        title = first.removeprefix("--").strip() if first.startswith("--") else path.stem
        found.append(Template(path.stem, title, "\n".join(text.splitlines()[1:]).strip()))
    return found


def _balanced(tokens: list[guard.Token]) -> bool:
    depth = 0
    for token in tokens:
        if token.kind == "punct" and token.text == "(":
            depth += 1
        elif token.kind == "punct" and token.text == ")":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def check_scoped(sql: str, tables: dict[str, str]) -> str:
    """The guarded statement if a non-admin may run it over their own rows; else ReadOnlyViolation saying why."""
    statement = guard.check(sql)
    tokens = guard.tokenize(statement)
    first = next(t for t in tokens if not (t.kind == "punct" and t.text == "("))
    if first.upper not in ("SELECT", "WITH"):
        raise ReadOnlyViolation("the console runs SELECT or WITH queries over `threads` and `messages`")
    if not _balanced(tokens):
        raise ReadOnlyViolation("unbalanced parentheses")
    base = {tables["table"].lower()}
    for index, token in enumerate(tokens):
        name = token.text[1:-1].lower() if token.kind in ("ident", "string") else token.text.lower()
        after = tokens[index + 1] if index + 1 < len(tokens) else None
        if token.kind == "punct" and token.text in "{}":
            raise ReadOnlyViolation("query parameters ({name:Type}) are not available in the console")
        named = any(b in name for b in base) if token.kind == "string" else any(name.startswith(b) for b in base)
        if named:
            raise ReadOnlyViolation(
                "the conversation table is read through `threads` and `messages` here (your rows only); "
                "it and tables named after it cannot be named"
            )
        if token.kind in ("word", "ident") and after is not None and after.text == "(" and (
            name in TABLE_FUNCTIONS or name.startswith("dict")
        ):
            raise ReadOnlyViolation(f"{name}() reads other tables; the console reads only `threads` and `messages`")
        if token.kind in ("word", "ident") and after is not None and after.text == "." and (
            name in SYSTEM_DATABASES or name == tables["db"].lower()
        ):
            raise ReadOnlyViolation("the console reads only `threads` and `messages`, not other tables")
    return statement


def wrap(statement: str) -> str:
    """The statement as a subquery under the scope CTEs (`threads`, `messages`)."""
    return sqlfiles.load("history/console_scope").rstrip() + " (\n" + statement + "\n)"


def row_filters(tables: dict[str, str], scope: Scope) -> dict[str, str]:
    """`additional_table_filters` restricting the conversation table to the scope's user (server-enforced).

    The server parses these expressions itself and binds no query parameters in them; the user id goes in as hex
    digits only (`unhex('…')`), so nothing a user id contains can change the expression.
    """
    condition = "user_id = unhex('" + scope.user_id.encode("utf-8").hex() + "')"
    return {f"{tables['db']}.{tables['table']}": condition}


def run(store: ConversationStore, sql: str, scope: Scope, admin: bool) -> pd.DataFrame:
    """Run a console query: guarded, read-only, limited, and scoped to the user's rows unless `admin`."""
    tables = store_tables(store)
    if tables is None:
        raise ValidationError(f"the SQL console needs the ClickHouse conversation store, not {store.kind}")
    params = {**tables, **scope.params()}
    if admin:
        statement = guard.check(sql)
        tokens = guard.tokenize(statement)
        if tokens[0].upper not in ("SELECT", "WITH", "(") or not _balanced(tokens):
            return store.conn.query_df(statement, None, readonly=True)
        return store.conn.query_df(wrap(statement), params, readonly=True)
    if scope.all_users:
        raise ValidationError("only admins (CHM_ADMIN_USERS) may query every user's conversations")
    statement = check_scoped(sql, tables)
    return store.conn.query_df(wrap(statement), params, readonly=True,
                               settings={"additional_table_filters": row_filters(tables, scope)})
