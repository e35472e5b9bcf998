"""The ClickHouse conversation store: one ReplacingMergeTree table, async inserts, tombstone deletes.

One table holds both kinds of row: `kind = 'thread'` (one row per version of a thread) and `kind = 'message'` (one
row per message). An append is one read of the thread's key range (its latest row, and which of the new message ids
it already holds) and one insert of the new messages with one small thread row, so its cost does not grow with the
conversation. A delete is one insert of tombstones whose version lies in a band above every live version, so no
racing append brings the thread back.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import zlib
from datetime import datetime, timezone
from typing import Any, NamedTuple

from chstore import BaseStore, ClickHouseTable, Message, Thread, ThreadSummary
from chstore.errors import StorageError
from chstore.model import EPOCH, default_title, dump_metadata, utcnow
from core import guard, sqlfiles
from core.connection import Connection
from core.errors import ChmError, QueryError, UnavailableError
from core.names import validate_table_name

log = logging.getLogger(__name__)

WRITE_SETTINGS = {"async_insert": 1, "wait_for_async_insert": 1, "max_threads": 1}
"""One thread: an insert is a few rows, and handing them between threads cost more than writing them (store_bench)."""
READ_SETTINGS = {"max_result_rows": 0, "result_overflow_mode": "throw"}
"""Store reads are never cut at the dashboard's row cap: a truncated thread or id list would lose messages."""
KEY_READ_SETTINGS = {**READ_SETTINGS, "max_threads": 1}
"""Reads of a few key ranges (one thread, a batch of threads, one user's page): one thread plans and runs faster
than a pool. Scans (search, every user, everything of one user for `delete_all`) keep the server's `max_threads`."""
UNLOGGED = {"log_queries": 0}
"""Added to the store's statements on the embedded engine: they carry users' words and ids, and that engine's
`query_log` is readable by the SQL users type, so the store's reads and writes are kept out of it."""
DELETE_BAND = 1 << 62
"""Tombstone versions are `DELETE_BAND | tick`: above any live version (ticks are nanoseconds, < 2**62)."""

_TIME = "DateTime64(3, 'UTC')"
COLUMNS = {
    "user_id": "String", "kind": "LowCardinality(String)", "thread_id": "String", "message_id": "String",
    "seq": "UInt64", "role": "LowCardinality(String)", "name": "String", "title": "String", "content": "String",
    "metadata": "String", "created_at": _TIME, "updated_at": _TIME, "message_count": "UInt32", "version": "UInt64",
    "is_deleted": "UInt8",
}
"""Column names and types of every insert, as in sql/store/create_table.sql (the driver then needs no DESCRIBE)."""
LAYOUT_MARK = "kind"
WRITE_REFUSED = frozenset({"ACCESS_DENIED", "NOT_ENOUGH_PRIVILEGES"})
"""Error names of a write the store's user is not granted (a read-only profile is `READONLY`)."""
"""The column that tells this layout from the old one (a thread table plus a `<table>_messages` table)."""

_tick_lock = threading.Lock()
_last_tick = 0
_thread_locks = [threading.Lock() for _ in range(64)]


def next_tick(floor: int = 0) -> int:
    """A strictly increasing nanosecond counter, above `floor`, that never goes back with the wall clock."""
    global _last_tick
    with _tick_lock:
        _last_tick = max(time.time_ns(), _last_tick + 1, floor + 1)
        return _last_tick


def thread_lock(user_id: str, thread_id: str) -> threading.Lock:
    """The lock serializing this process's read-then-write calls on one thread (striped: 64 locks in all)."""
    return _thread_locks[zlib.crc32(f"{user_id}\0{thread_id}".encode()) % len(_thread_locks)]


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def split_table(table: str, default_database: str) -> tuple[str, str]:
    """(database, table) of a validated `db.table` or `table` name."""
    database, name = validate_table_name(table)
    return database or default_database, name


def schema_statements(
    database: str, table: str, cluster: str | None = None, ttl_days: int | None = None
) -> list[tuple[str, dict]]:
    """The DDL of the store as (sql, parameters), idempotent (`IF NOT EXISTS`)."""
    base = {"db": database, "table": table}
    create = (sqlfiles.bind_identifier(sqlfiles.load("store/create_table_cluster"), "cluster", cluster) if cluster
              else sqlfiles.load("store/create_table"))
    statements = [(create, base)]
    if not cluster:  # a replicated table made before the setting gets it by hand, ON CLUSTER (README)
        statements.append((sqlfiles.load("store/set_merge_age"), base))
    if ttl_days:
        statements.append((sqlfiles.load("store/set_ttl"), {"db": database, "table": table, "days": ttl_days}))
    return statements


def render(sql: str, params: dict[str, Any]) -> str:
    """Show a statement with its parameters inlined, for `python -m chstore schema` (display only, never run)."""
    for name, typ in sqlfiles.placeholders(sql).items():
        value = params[name]
        text = f"`{value}`" if typ == "Identifier" else (str(value) if isinstance(value, int) else repr(value))
        sql = sql.replace(f"{{{name}:{typ}}}", text)
    return sql


def thread_row(user_id: str, state: dict[str, Any], version: int, deleted: int = 0) -> list[Any]:
    """The insert row of one version of a thread."""
    return [
        user_id, "thread", state["thread_id"], "", 0, "", "", state["title"], "", state["metadata"],
        state["created_at"], state["updated_at"], state.get("message_count", 0), version, deleted,
    ]


def message_row(user_id: str, thread_id: str, message: Message, version: int) -> list[Any]:
    """The insert row of one message (`seq` = its version: append order)."""
    return [
        user_id, "message", thread_id, message.id, version, message.role, message.name, "", message.content,
        dump_metadata(message.metadata), message.created_at, message.created_at, 0, version, 0,
    ]


def tombstone_row(user_id: str, thread_id: str, message_id: str, version: int) -> list[Any]:
    """The insert row hiding one message of a deleted thread."""
    return [user_id, "message", thread_id, message_id, 0, "", "", "", "", "", EPOCH, EPOCH, 0, version, 1]


class StateRow(NamedTuple):
    """A row of `store/thread_state` and `store/thread_rows`: the thread's row or one of its messages' rows."""

    kind: str
    message_id: str
    title: str
    metadata: str
    created_at: datetime
    updated_at: datetime
    message_count: int
    version: int
    is_deleted: int


class ThreadPart(NamedTuple):
    """A row of `store/get_threads`: a thread's row or one of its messages' rows."""

    thread_id: str
    kind: str
    message_id: str
    seq: int
    role: str
    name: str
    title: str
    content: str
    metadata: str
    created_at: datetime
    updated_at: datetime
    is_deleted: int
    version: int


class LiveThread(NamedTuple):
    """A row of `store/user_threads`: what a live thread's tombstone keeps of its latest row."""

    thread_id: str
    created_at: datetime
    updated_at: datetime
    message_count: int
    version: int


class SummaryRow(NamedTuple):
    """A row of `store/list_threads`, `store/list_threads_after` and `store/search_threads`."""

    thread_id: str
    title: str
    created_at: datetime
    updated_at: datetime
    message_count: int


ROW_TYPES: dict[str, type[tuple]] = {
    "thread_state": StateRow, "thread_rows": StateRow, "get_threads": ThreadPart, "user_threads": LiveThread,
    "list_threads": SummaryRow, "list_threads_after": SummaryRow, "search_threads": SummaryRow,
}
"""The named row each statement returns, column for column (a test runs each and compares the names)."""


def latest_rows(rows: list[Any], key: Any) -> dict[Any, Any]:
    """The highest-`version` row per `key(row)` (unmerged versions of a row are read back, never FINAL-merged)."""
    latest: dict[Any, Any] = {}
    for row in rows:
        ident = key(row)
        if ident not in latest or row.version > latest[ident].version:
            latest[ident] = row
    return latest


def _thread(user_id: str, thread_id: str, parts: list[ThreadPart]) -> Thread | None:
    """A Thread from its latest rows, None when missing or deleted."""
    head = next((p for p in parts if p.kind == "thread"), None)
    if head is None or head.is_deleted:
        return None
    live = sorted((p for p in parts if p.kind == "message" and not p.is_deleted), key=lambda p: p.seq)
    messages = [
        Message(role=p.role, content=p.content, id=p.message_id, name=p.name, created_at=_utc(p.created_at),
                metadata=json.loads(p.metadata or "{}"))
        for p in live
    ]
    return Thread(thread_id, head.title, _utc(head.created_at), _utc(head.updated_at), messages,
                  json.loads(head.metadata or "{}"), user_id)


class ClickHouseStore(BaseStore):
    """Conversation store on ClickHouse (embedded engine or a server)."""

    kind = "clickhouse"

    def __init__(
        self, connection: Connection, table: str, *, auto_create: bool = False, cluster: str | None = None,
        ttl_days: int | None = None, default_database: str = "default",
    ) -> None:
        self.conn = connection
        self.database, self.table = split_table(table, default_database)
        guard.protect(self.table)
        self.auto_create = auto_create
        self.cluster = cluster
        self.ttl_days = ttl_days
        self._ready = False
        self._ready_lock = threading.Lock()

    # --- plumbing ------------------------------------------------------------------------------
    def own_settings(self, settings: dict[str, Any]) -> dict[str, Any]:
        """`settings` for one of the store's statements: on the embedded engine also kept out of `query_log`."""
        return {**settings, **UNLOGGED} if self.conn.embedded else settings

    def create_schema(self) -> None:
        """Create the table if it does not exist (idempotent); moves data of the old two-table layout over."""
        try:
            columns = self._columns(self.table)
            old = self._set_aside_old_layout() if columns and LAYOUT_MARK not in columns else None
            for sql, params in schema_statements(self.database, self.table, self.cluster, self.ttl_days):
                self.conn.command(sql, params)
            if old:
                self._copy_old_layout(*old)
        except ChmError as exc:
            refused = self._refusal(exc, "CREATE TABLE", "create")
            raise StorageError(
                refused or f"could not create the conversation table {self.database}.{self.table}: {exc}"
            ) from exc
        self._ready = True

    def _refusal(self, exc: ChmError, privilege: str, verb: str) -> str:
        """What the store's ClickHouse user lacks and what to do, when `exc` is a refused write; else ''."""
        name = getattr(exc, "name", None)
        where = f"{self.database}.{self.table}"
        store_user = "give the store a user that may write (CLICKHOUSE_AGENT_CONVERSATIONS_USER / _PASSWORD)"
        until = "Until then chat keeps working and each turn stays in the browser session, marked not saved."
        if name == "READONLY":
            return (f"the conversation store's ClickHouse user has a read-only profile (readonly="
                    f"{self.conn.server.readonly or 1}) and cannot {verb} {where}: {store_user}. {until}")
        if name in WRITE_REFUSED:
            grant = f"GRANT {privilege} ON {where}" if privilege != "CREATE TABLE" else f"GRANT CREATE TABLE ON {self.database}.*"
            return (f"the conversation store's ClickHouse user may not {verb} {where} ({name}): run `{grant}` or "
                    f"{store_user}. {until}")
        return ""

    def _columns(self, table: str) -> set[str]:
        """The column names of a table of the store's database (empty when it does not exist)."""
        rows = self.conn.query_rows(sqlfiles.load("store/table_columns"), {"database": self.database, "table": table})
        return {row[0] for row in rows}

    def _set_aside_old_layout(self) -> tuple[str, str]:
        """Rename the old layout's thread table, freeing the name; returns (old thread table, old message table)."""
        old_threads = f"{self.table}_old_threads_{time.strftime('%Y%m%d%H%M%S')}"
        old_messages = f"{self.table}_messages"
        log.warning("conversation table %s.%s has the old two-table layout: moving it aside to %s and copying it "
                    "and %s into the new table (the old tables are kept; drop them once satisfied)",
                    self.database, self.table, old_threads, old_messages)
        self.conn.command(sqlfiles.load("store/migrate_rename"),
                          {"db": self.database, "table": self.table, "old": old_threads})
        return old_threads, old_messages

    def _copy_old_layout(self, old_threads: str, old_messages: str) -> None:
        """Copy every row of the old layout's tables (all versions, tombstones too) into the new table."""
        self.conn.command(sqlfiles.load("store/migrate_threads"),
                          {"db": self.database, "table": self.table, "old": old_threads})
        if self._columns(old_messages):
            self.conn.command(sqlfiles.load("store/migrate_messages"),
                              {"db": self.database, "table": self.table, "old": old_messages})

    def _ensure(self) -> None:
        if self._ready:
            return
        with self._ready_lock:
            if self._ready:
                return
            read_only = bool(self.conn.server.readonly)
            if self.auto_create and not read_only:
                self.create_schema()
                return
            columns = self._columns(self.table)
            if not columns and read_only:
                raise StorageError(self._refusal(QueryError("", name="READONLY"), "CREATE TABLE", "create"))
            if not columns:
                raise StorageError(
                    f"the conversation table {self.database}.{self.table} does not exist: set "
                    "CLICKHOUSE_AGENT_CONVERSATIONS_AUTO_CREATE=true or run `python -m chstore schema` and apply it"
                )
            if LAYOUT_MARK not in columns:
                raise StorageError(
                    f"the conversation table {self.database}.{self.table} has the old two-table layout: set "
                    "CLICKHOUSE_AGENT_CONVERSATIONS_AUTO_CREATE=true once to move it to the new one (nothing is "
                    "dropped)"
                )
            self._ready = True

    def _rows(self, name: str, params: dict[str, Any], settings: dict[str, Any] | None = None) -> list[Any]:
        """Rows of `sql/store/<name>.sql` (named, per ROW_TYPES, where the caller reads columns); reads of key
        ranges unless `settings` says otherwise (scans)."""
        self._ensure()
        try:
            rows = self.conn.query_rows(
                sqlfiles.statement(f"store/{name}"), {"db": self.database, "table": self.table, **params},
                settings=self.own_settings(KEY_READ_SETTINGS if settings is None else settings),
            )
        except UnavailableError as exc:
            raise StorageError(f"conversation store unavailable ({exc.name}): {exc}") from exc
        except ChmError as exc:
            raise StorageError(f"conversation store read failed: {exc}") from exc
        named = ROW_TYPES.get(name)
        return [named._make(row) for row in rows] if named else rows

    def _insert(self, rows: list[list[Any]]) -> None:
        if not rows:
            return
        self._ensure()
        if self.conn.server.readonly:
            raise StorageError(self._refusal(QueryError("", name="READONLY"), "INSERT", "write to"))
        try:
            self.conn.insert(f"{self.database}.{self.table}", rows, list(COLUMNS), settings=self.own_settings(WRITE_SETTINGS),
                             column_types=list(COLUMNS.values()))
        except ChmError as exc:
            refused = self._refusal(exc, "INSERT", "write to")
            raise StorageError(
                refused or f"conversation store write failed, nothing of this call was saved: {exc}"
            ) from exc

    def _state(
        self, user_id: str, thread_id: str, ids: list[str] | None = None, *, every_message: bool = False
    ) -> dict[str, Any] | None:
        """The thread's latest row and, as `existing`, the live message ids among `ids` (or all of them with
        `every_message`); None when missing. `deleted` tells a thread whose latest row is a tombstone."""
        params = {"user_id": user_id, "thread_id": thread_id}
        if every_message:
            rows = self._rows("thread_rows", params)
        else:
            rows = self._rows("thread_state", {**params, "ids": ids or []})
        latest = latest_rows(rows, lambda r: (r.kind, r.message_id))
        head = latest.get(("thread", ""))
        if head is None:
            return None
        return {
            "thread_id": thread_id, "title": head.title, "metadata": head.metadata,
            "created_at": _utc(head.created_at), "updated_at": _utc(head.updated_at), "version": head.version,
            "message_count": int(head.message_count), "deleted": bool(head.is_deleted),
            "existing": {row.message_id for row in latest.values() if row.kind == "message" and not row.is_deleted},
        }

    def clickhouse_table(self) -> ClickHouseTable:
        """The store's connection, database and table, and the settings its statements carry."""
        return ClickHouseTable(self.conn, self.database, self.table, self.own_settings({}))

    # --- storage -------------------------------------------------------------------------------
    def _create_thread(self, user_id: str, thread_id: str, title: str, metadata: dict[str, Any], *,
                       chosen: bool) -> bool:
        with thread_lock(user_id, thread_id):
            state = self._state(user_id, thread_id) if chosen else None
            if state is not None:
                return not state["deleted"]
            now = utcnow()
            state = {"thread_id": thread_id, "title": title, "metadata": dump_metadata(metadata), "created_at": now,
                     "updated_at": now}
            self._insert([thread_row(user_id, state, next_tick())])
        return True

    def _append(self, user_id: str, thread_id: str, messages: list[Message]) -> int | None:
        with thread_lock(user_id, thread_id):
            state = self._state(user_id, thread_id, [m.id for m in messages])
            if state is None or state["deleted"]:
                return None
            seen = set(state["existing"])
            fresh: list[Message] = []
            for message in messages:
                if message.id not in seen:
                    seen.add(message.id)
                    fresh.append(message)
            if not fresh:
                return 0
            state["title"] = state["title"] or default_title(fresh)
            state["message_count"] += len(fresh)
            state["updated_at"] = max(utcnow(), state["updated_at"])
            rows = [message_row(user_id, thread_id, m, next_tick()) for m in fresh]
            rows.append(thread_row(user_id, state, next_tick(state["version"])))
            self._insert(rows)
        return len(fresh)

    def _get_thread(self, user_id: str, thread_id: str) -> Thread | None:
        return next(iter(self._get_threads(user_id, [thread_id])), None)

    def _get_threads(self, user_id: str, thread_ids: list[str]) -> list[Thread]:
        """The threads in one read of their key ranges."""
        by_thread: dict[str, list[ThreadPart]] = {}
        rows = self._rows("get_threads", {"user_id": user_id, "thread_ids": thread_ids})
        for part in latest_rows(rows, lambda p: (p.thread_id, p.kind, p.message_id)).values():
            by_thread.setdefault(part.thread_id, []).append(part)
        found = (_thread(user_id, tid, by_thread.get(tid, [])) for tid in thread_ids)
        return [thread for thread in found if thread is not None]

    def _summaries(self, rows: list[SummaryRow], user_id: str) -> list[ThreadSummary]:
        return [ThreadSummary(r.thread_id, r.title, _utc(r.created_at), _utc(r.updated_at), int(r.message_count),
                              user_id) for r in rows]

    def _list_threads(self, user_id: str, limit: int, cursor: tuple[datetime, str] | None) -> list[ThreadSummary]:
        if cursor is None:
            return self._summaries(self._rows("list_threads", {"user_id": user_id, "limit": limit}), user_id)
        params = {"user_id": user_id, "limit": limit, "before_ts": cursor[0], "before_id": cursor[1]}
        return self._summaries(self._rows("list_threads_after", params), user_id)

    def _search_threads(self, user_id: str, text: str, limit: int) -> list[ThreadSummary]:
        params = {"user_id": user_id, "text": text, "limit": limit}
        return self._summaries(self._rows("search_threads", params, READ_SETTINGS), user_id)

    def _rename_thread(self, user_id: str, thread_id: str, title: str) -> bool:
        with thread_lock(user_id, thread_id):
            state = self._state(user_id, thread_id)
            if state is None or state["deleted"]:
                return False
            state["title"] = title
            self._insert([thread_row(user_id, state, next_tick(state["version"]))])
        return True

    def _tombstone(self, user_id: str, states: list[dict[str, Any]], read: bool = True) -> None:
        """Tombstones of threads and of their messages, a batch of threads per insert (thread rows first). The
        live message ids are read per batch, or taken from each state's `existing` when `read` is False."""
        for start in range(0, len(states), 1000):
            batch = states[start:start + 1000]
            rows = [thread_row(user_id, {**s, "title": "", "metadata": "{}"},
                               DELETE_BAND | next_tick(s["version"] & ~DELETE_BAND), 1) for s in batch]
            found = (
                self._rows("message_ids", {"user_id": user_id, "thread_ids": [s["thread_id"] for s in batch]},
                           READ_SETTINGS)
                if read else [(s["thread_id"], mid) for s in batch for mid in sorted(s["existing"])]
            )
            version = DELETE_BAND | next_tick()
            rows += [tombstone_row(user_id, tid, mid, version) for tid, mid in found]
            self._insert(rows)

    def _delete_thread(self, user_id: str, thread_id: str) -> bool:
        with thread_lock(user_id, thread_id):
            state = self._state(user_id, thread_id, every_message=True)
            if state is None or state["deleted"]:
                return False
            self._tombstone(user_id, [state], read=False)
        return True

    def _delete_all(self, user_id: str) -> int:
        rows = self._rows("user_threads", {"user_id": user_id}, READ_SETTINGS)
        states = [
            {"thread_id": r.thread_id, "created_at": _utc(r.created_at), "updated_at": _utc(r.updated_at),
             "message_count": int(r.message_count), "version": r.version}
            for r in rows
        ]
        if states:
            self._tombstone(user_id, states)
        return len(states)

    def _list_users(self) -> list[str]:
        return [row[0] for row in self._rows("list_users", {}, READ_SETTINGS)]

    def close(self) -> None:
        """The connection is shared with the dashboard; nothing to release here."""
