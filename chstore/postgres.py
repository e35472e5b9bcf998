"""The Postgres conversation store: a threads table linked to a user and a messages table, psycopg 3 with a pool.

Every write runs in one transaction and every statement is scoped by `user_id`, so no update or delete can touch
another user's row. A deleted thread stays as a tombstone row (`deleted_at` set, its title, metadata and messages
removed): a retried create cannot bring it back, and an append locks the live row first, so a racing delete either
waits for the append (and then removes its messages too) or makes the append fail with NotFoundError.

PostgreSQL text cannot hold NUL characters, so every stored string goes through a lossless escape
(`\\x01` → `\\x01\\x01`, `\\x00` → `\\x01\\x02`); reads undo it. Search works on the escaped text (a needle is escaped
the same way).
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

from chstore import BaseStore, Message, Thread, ThreadSummary
from chstore.errors import StorageError
from chstore.model import default_title, escape_json, escape_text, unescape_json, unescape_text, utcnow
from core import sqlfiles
from core.errors import ValidationError
from core.names import validate_identifier

DEFAULT_PREFIX = "agent_"
SCHEMA_FILES = ("create_threads", "create_messages", "create_threads_index", "create_messages_index")
_CURSOR_START = datetime(9999, 12, 31, tzinfo=UTC)


def table_names(prefix: str) -> dict[str, str]:
    """The validated table and index names for a table prefix (letters, digits and underscores)."""
    names = {
        "threads": f"{prefix}threads",
        "messages": f"{prefix}messages",
        "threads_index": f"{prefix}threads_user_updated_idx",
        "messages_index": f"{prefix}messages_thread_seq_idx",
    }
    for name in names.values():
        if len(name) > 63:
            raise ValidationError(f"table prefix {prefix!r} is too long for PostgreSQL identifiers")
        validate_identifier(name)
    return names


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


class PostgresStore(BaseStore):
    """Conversation store on PostgreSQL (psycopg 3, `psycopg_pool.ConnectionPool`)."""

    kind = "postgres"

    def __init__(self, url: str, *, prefix: str = DEFAULT_PREFIX, min_size: int = 1, max_size: int = 8) -> None:
        from psycopg import sql
        from psycopg_pool import ConnectionPool

        self._names = table_names(prefix)
        self._identifiers = {key: sql.Identifier(name) for key, name in self._names.items()}
        self._sql = sql
        self._statements: dict[str, Any] = {}
        self._ready = False
        self._ready_lock = threading.Lock()
        self.pool = ConnectionPool(
            url, min_size=min_size, max_size=max_size, open=True, name="chstore",
            kwargs={"application_name": "chmonitor-chstore"},
        )

    @property
    def tables(self) -> dict[str, str]:
        """The table and index names in use."""
        return dict(self._names)

    # --- plumbing ------------------------------------------------------------------------------
    def _statement(self, name: str) -> Any:
        statement = self._statements.get(name)
        if statement is None:
            statement = self._sql.SQL(sqlfiles.load(f"postgres/{name}")).format(**self._identifiers)
            self._statements[name] = statement
        return statement

    def create_schema(self) -> None:
        """Create the tables and indexes if they do not exist (idempotent, serialised across processes)."""
        import psycopg

        try:
            with self.pool.connection() as conn, conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (self._names["threads"],))
                for name in SCHEMA_FILES:
                    conn.execute(self._statement(name))
        except psycopg.Error as exc:
            raise StorageError(f"could not create the conversation tables {self._names['threads']}, "
                               f"{self._names['messages']}: {exc}") from exc
        self._ready = True

    def _ensure(self) -> None:
        if not self._ready:
            with self._ready_lock:
                if not self._ready:
                    self.create_schema()

    def _run(self, work: Any, what: str) -> Any:
        """Run `work(conn)` in one transaction; database failures become StorageError."""
        import psycopg
        from psycopg_pool import PoolTimeout

        self._ensure()
        try:
            with self.pool.connection() as conn, conn.transaction():
                return work(conn)
        except UnicodeEncodeError as exc:
            raise ValidationError(f"text is not valid Unicode (a lone surrogate?); nothing of this call was saved: "
                                  f"{exc.reason}") from exc
        except (psycopg.Error, PoolTimeout) as exc:
            raise StorageError(f"conversation store {what} failed, nothing of this call was saved: {exc}") from exc

    def run_file(self, name: str, params: dict[str, Any]) -> None:
        """Run one statement of `sql/postgres/<name>.sql` in its own transaction (benchmark fixtures, admin)."""
        self._run(lambda conn: conn.execute(self._statement(name), params), name)

    def _rows(self, conn: Any, name: str, params: dict[str, Any]) -> list[tuple]:
        return conn.execute(self._statement(name), params).fetchall()

    # --- storage ------------------------------------------------------------------------------
    def _create_thread(self, user_id: str, thread_id: str, title: str, metadata: dict[str, Any], *,
                       chosen: bool) -> bool:
        from psycopg.types.json import Jsonb

        params = {
            "user_id": escape_text(user_id), "thread_id": escape_text(thread_id), "title": escape_text(title),
            "metadata": Jsonb(escape_json(metadata)), "now": utcnow(),
        }

        def work(conn: Any) -> bool:
            if self._rows(conn, "insert_thread", params):
                return True
            state = self._rows(conn, "thread_state", params)
            return not (state and state[0][0])

        return self._run(work, "create")

    def _append(self, user_id: str, thread_id: str, messages: list[Message]) -> int | None:
        from psycopg.types.json import Jsonb

        key = {"user_id": escape_text(user_id), "thread_id": escape_text(thread_id)}

        def work(conn: Any) -> int | None:
            if not self._rows(conn, "lock_thread", key):
                return None
            fresh: list[Message] = []
            for message in messages:
                inserted = self._rows(conn, "insert_message", {
                    **key, "message_type": "user" if message.role == "user" else "agent", "role": message.role,
                    "name": escape_text(message.name), "content": escape_text(message.content),
                    "data": Jsonb(escape_json(message.metadata)), "checksum": escape_text(message.id),
                    "created_at": message.created_at,
                })
                if inserted:
                    fresh.append(message)
            conn.execute(self._statement("touch_thread"), {
                **key, "now": utcnow(), "added": len(fresh), "title": escape_text(default_title(fresh)),
            })
            return len(fresh)

        return self._run(work, "append")

    def _get_thread(self, user_id: str, thread_id: str) -> Thread | None:
        key = {"user_id": escape_text(user_id), "thread_id": escape_text(thread_id)}

        def work(conn: Any) -> tuple[list[tuple], list[tuple]]:
            head = self._rows(conn, "get_thread", key)
            return head, (self._rows(conn, "get_messages", key) if head else [])

        head, rows = self._run(work, "read")
        if not head:
            return None
        _, title, metadata, created, updated = head[0]
        return Thread(
            thread_id, unescape_text(title), _utc(created), _utc(updated),
            [
                Message(role=role, content=unescape_text(content), id=unescape_text(mid), name=unescape_text(name),
                        created_at=_utc(at), metadata=unescape_json(data))
                for mid, role, name, content, data, at in rows
            ],
            unescape_json(metadata), user_id,
        )

    def _summaries(self, name: str, params: dict[str, Any], user_id: str) -> list[ThreadSummary]:
        rows = self._run(lambda conn: self._rows(conn, name, params), "read")
        return [
            ThreadSummary(unescape_text(tid), unescape_text(title), _utc(c), _utc(u), int(n), user_id)
            for tid, title, c, u, n in rows
        ]

    def _list_threads(self, user_id: str, limit: int, cursor: tuple[datetime, str] | None) -> list[ThreadSummary]:
        before_ts, before_id = cursor or (_CURSOR_START, "")
        params = {"user_id": escape_text(user_id), "limit": limit, "before_ts": before_ts,
                  "before_id": escape_text(before_id)}
        return self._summaries("list_threads", params, user_id)

    def _search_threads(self, user_id: str, text: str, limit: int) -> list[ThreadSummary]:
        params = {"user_id": escape_text(user_id), "text": escape_text(text), "limit": limit}
        return self._summaries("search_threads", params, user_id)

    def _rename_thread(self, user_id: str, thread_id: str, title: str) -> bool:
        params = {"user_id": escape_text(user_id), "thread_id": escape_text(thread_id), "title": escape_text(title)}
        return bool(self._run(lambda conn: self._rows(conn, "rename_thread", params), "rename"))

    def _remove(self, user_id: str, ids: list[str] | None) -> int:
        params = {"user_id": escape_text(user_id), "now": utcnow(), "all": ids is None,
                  "ids": [escape_text(i) for i in ids or []]}

        def work(conn: Any) -> int:
            deleted = [row[0] for row in self._rows(conn, "delete_threads", params)]
            if deleted:
                conn.execute(self._statement("delete_messages"), {"user_id": params["user_id"], "ids": deleted})
            return len(deleted)

        return self._run(work, "delete")

    def _delete_thread(self, user_id: str, thread_id: str) -> bool:
        return self._remove(user_id, [thread_id]) == 1

    def _delete_all(self, user_id: str) -> int:
        return self._remove(user_id, None)

    def _list_users(self) -> list[str]:
        rows = self._run(lambda conn: self._rows(conn, "list_users", {}), "read")
        return [unescape_text(row[0]) for row in rows]

    def close(self) -> None:
        """Close the connection pool."""
        self.pool.close()
