"""Alert state and history in ClickHouse: one ReplacingMergeTree table of events beside the conversation table.

Written like the conversation store writes: through the store's connection (host 0 or the embedded engine), async
inserts waited for, the table created on first use when `CLICKHOUSE_AGENT_CONVERSATIONS_AUTO_CREATE` is on.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from chstore.clickhouse import WRITE_SETTINGS, next_tick, split_table
from chstore.errors import StorageError
from chstore.model import EPOCH
from config import Settings
from core import sqlfiles
from core.connection import Connection
from core.errors import ChmError

EVENTS = ("firing", "resolved", "sent", "failed", "silenced")
"""What can happen to an alert: it fires or resolves, its notification is sent or finally fails, it is silenced."""
_TIME = "DateTime64(3, 'UTC')"
COLUMNS = {
    "host": "LowCardinality(String)", "check_name": "LowCardinality(String)", "event": "LowCardinality(String)",
    "at": _TIME, "id": "String", "severity": "LowCardinality(String)", "value": "Nullable(Float64)",
    "threshold": "Nullable(Float64)", "since": _TIME, "until": _TIME, "title": "String", "message": "String",
    "version": "UInt64",
}
"""Columns of every insert, as in sql/alerts/create_table.sql (the driver then needs no DESCRIBE)."""


@dataclass(frozen=True)
class Event:
    """One row of the alert table."""

    host: str
    check_name: str
    event: str
    severity: str = ""
    value: float | None = None
    threshold: float | None = None
    since: datetime = EPOCH
    until: datetime = EPOCH
    title: str = ""
    message: str = ""
    at: datetime | None = None

    def row(self) -> list[Any]:
        """The insert row (a fresh id and version, `at` now unless given)."""
        return [self.host, self.check_name, self.event, self.at or datetime.now(UTC), uuid.uuid4().hex,
                self.severity, self.value, self.threshold, self.since, self.until, self.title, self.message,
                next_tick()]


class AlertLog:
    """Reads and writes the alert table through one connection."""

    def __init__(self, conn: Connection, database: str, table: str, *, auto_create: bool) -> None:
        self.conn, self.database, self.table, self.auto_create = conn, database, table, auto_create
        self._ready = False
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings, conn: Connection) -> AlertLog:
        """The alert table `CHM_ALERT_TABLE` in the conversation table's database, on the store's connection."""
        database, _ = split_table(settings.conversation_table, settings.clickhouse.database)
        auto_create = settings.clickhouse_store.auto_create
        return cls(conn, database, settings.alerts.table,
                   auto_create=settings.clickhouse.embedded if auto_create is None else auto_create)

    @property
    def name(self) -> str:
        """`db.table` of the alert table."""
        return f"{self.database}.{self.table}"

    def _ensure(self) -> None:
        if self._ready:
            return
        with self._lock:
            if self._ready:
                return
            params = {"db": self.database, "table": self.table}
            try:
                if self.auto_create:
                    self.conn.command(sqlfiles.load("alerts/create_table"), params)
                elif not self.conn.query_rows(sqlfiles.load("store/table_columns"),
                                              {"database": self.database, "table": self.table}):
                    raise StorageError(
                        f"the alert table {self.name} does not exist: set CLICKHOUSE_AGENT_CONVERSATIONS_AUTO_CREATE"
                        "=true once, or create it with sql/alerts/create_table.sql")
            except StorageError:
                raise
            except ChmError as exc:
                raise StorageError(f"could not create the alert table {self.name}: {exc}") from exc
            self._ready = True

    def record(self, events: list[Event]) -> None:
        """Append events (async insert, waited for); raises StorageError when nothing was written."""
        if not events:
            return
        self._ensure()
        try:
            self.conn.insert(self.name, [e.row() for e in events], list(COLUMNS), settings=WRITE_SETTINGS,
                             column_types=list(COLUMNS.values()))
        except ChmError as exc:
            raise StorageError(f"alert events not saved in {self.name}: {exc}") from exc

    def _frame(self, name: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
        self._ensure()
        try:
            return self.conn.query_df(sqlfiles.load(f"alerts/{name}"),
                                      {"db": self.database, "table": self.table, **(params or {})})
        except ChmError as exc:
            raise StorageError(f"alert table {self.name} could not be read: {exc}") from exc

    def active(self) -> pd.DataFrame:
        """The alerts firing now, critical first, oldest first."""
        return self._frame("active")

    def silences(self, now: datetime | None = None) -> pd.DataFrame:
        """The silences still running: host, check_name, until."""
        return self._frame("silences", {"now": now or datetime.now(UTC)})

    def history(self, since: datetime) -> pd.DataFrame:
        """Every event since a moment, newest first."""
        return self._frame("history", {"since": since})

    def daily(self, since: datetime) -> pd.DataFrame:
        """Alerts fired per day and severity since a moment."""
        return self._frame("daily", {"since": since})

    def silence(self, host: str, check_name: str, until: datetime, who: str = "") -> None:
        """Silence one check on one host until a moment (its alerts are still recorded, not notified)."""
        self.record([Event(host, check_name, "silenced", until=until, message=f"silenced by {who}" if who else "")])
