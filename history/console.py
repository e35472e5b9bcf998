"""The read-only SQL console over the conversation table, scoped to the viewer's rows unless they are an admin.

A console query reads two names, `threads` and `messages`: CTEs (`sql/history/console_scope.sql`) holding the live
rows in scope. Three locks keep a user to their own rows:

1. `core.guard.check` with `guard.console_policy()`: the embedded engine parses the statement and the checks walk
   its tree: one SELECT, whose tables are only `threads`, `messages` and its own CTEs (no database, no system table,
   no table function that reads a table, no function that reads one by name, no query parameter, no SETTINGS);
2. the checked statement, as the engine formatted it, runs as a subquery under CTEs filtered by `{user_id:String}`;
3. the server itself: `additional_table_filters` on the base table restricts every read of it to the user's
   rows whatever the query says, and `readonly=1` forbids the query from changing that setting.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from chstore import ConversationStore
from core import guard, sqlfiles
from core.connection import Connection
from core.errors import ValidationError
from history.queries import Scope

TEMPLATE_DIR = sqlfiles.SQL_DIR / "history" / "console"
SCOPED_NAMES = ("threads", "messages")


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


def check_scoped(conn: Connection, sql: str) -> str:
    """The engine's formatting of `sql` if the console may run it over `threads` and `messages`; else
    ReadOnlyViolation saying why."""
    return guard.check(conn, sql, guard.console_policy(frozenset(SCOPED_NAMES))).statement


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
    where = store.clickhouse_table()
    if where is None:
        raise ValidationError(f"the SQL console needs the ClickHouse conversation store, not {store.kind}")
    if scope.all_users and not admin:
        raise ValidationError("only admins (CHM_ADMIN_USERS) may query every user's conversations")
    statement = check_scoped(where.conn, sql)
    params = {**where.params, **scope.params()}
    settings = None if scope.all_users else {"additional_table_filters": row_filters(where.params, scope)}
    return where.conn.query_df(wrap(statement), params, readonly=True, settings=settings, adhoc=True)
