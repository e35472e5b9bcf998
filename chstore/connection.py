"""ClickHouse connections: the embedded engine (chdb) by default, HTTP servers when `CLICKHOUSE_HOST` is set.

Every query of the app goes through `Connection`, which adds the hygiene settings (time limit, row cap, tag) and
translates driver errors, once, into the `chstore.errors` family.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import clickhouse_connect
import pandas as pd
from clickhouse_connect.driver.exceptions import ClickHouseError, DatabaseError, OperationalError

from chstore import guard
from chstore.errors import (
    ChStoreError,
    QueryError,
    QueryTimeoutError,
    UnavailableError,
    UnreachableError,
)
from chstore.settings import Settings

APP_TAG = "chmonitor"
"""`log_comment` of every query the app sends, so its own load can be filtered out of `query_log`."""

ENGINE_CONFIG = Path(__file__).resolve().parent / "engine.xml"

# Error names meaning "this server does not have that" rather than "something went wrong".
UNAVAILABLE_NAMES = frozenset(
    {"UNKNOWN_TABLE", "UNKNOWN_DATABASE", "UNKNOWN_FUNCTION", "ACCESS_DENIED", "SUPPORT_IS_DISABLED",
     "UNKNOWN_STORAGE", "NOT_IMPLEMENTED", "CLUSTER_DOESNT_EXIST"}
)
TIMEOUT_NAMES = frozenset({"TIMEOUT_EXCEEDED", "SOCKET_TIMEOUT"})
AUTH_NAMES = frozenset({"AUTHENTICATION_FAILED", "REQUIRED_PASSWORD", "WRONG_PASSWORD", "UNKNOWN_USER"})

_embedded_lock = threading.RLock()
_embedded_clients: dict[Path, Any] = {}
_down_lock = threading.Lock()
_down: dict[str, tuple[float, str]] = {}
"""Hosts that just failed to answer: URL → (monotonic time until which calls fail fast, the reason)."""


def mark_down(key: str, reason: str, seconds: float) -> None:
    """Remember that a host failed, so the next calls fail at once instead of each waiting for a timeout."""
    with _down_lock:
        _down[key] = (time.monotonic() + seconds, reason)


def check_down(key: str) -> None:
    """Raise UnreachableError at once while the host is inside its fail-fast window; clear it afterwards."""
    with _down_lock:
        until, reason = _down.get(key, (0.0, ""))
        if not until:
            return
        left = until - time.monotonic()
        if left <= 0:
            del _down[key]
            return
    raise UnreachableError(f"{reason} (retrying in {left:.0f} s)", name="UNREACHABLE")


def scrub(text: str, secrets: tuple[str, ...] = ()) -> str:
    """Shorten a server error to its useful part and remove any secret values from it."""
    text = text.split("Stack trace", 1)[0]
    start = text.find("Code:")
    if start > 0:
        text = text[start:]
    text = re.sub(r"https?://[^\s/@]+:[^\s/@]+@", "http://***@", text)
    for secret in secrets:
        if secret and len(secret) >= 3:
            text = text.replace(secret, "***")
    return text.strip()


def translate(exc: BaseException, secrets: tuple[str, ...] = (), max_execution_time: int | None = None) -> ChStoreError:
    """Map a driver exception to the chstore error family, branching on the server's error code/name."""
    if isinstance(exc, ChStoreError):
        return exc
    if isinstance(exc, OperationalError) and getattr(exc, "code", None) is None:
        return UnreachableError(f"ClickHouse is unreachable: {scrub(str(exc), secrets)}", name="UNREACHABLE")
    if isinstance(exc, DatabaseError):
        code = getattr(exc, "code", None)
        name = getattr(exc, "name", None)
        message = scrub(str(exc), secrets)
        if name in TIMEOUT_NAMES or code == 159:
            limit = f"{max_execution_time} s" if max_execution_time else "the limit"
            return QueryTimeoutError(
                f"The query ran past {limit}; raise CLICKHOUSE_MAX_EXECUTION_TIME or narrow the time range.",
                code=code,
                name=name,
            )
        if name in AUTH_NAMES:
            return QueryError(
                "ClickHouse refused the credentials: check CLICKHOUSE_USER and CLICKHOUSE_PASSWORD.", code=code, name=name
            )
        if name in UNAVAILABLE_NAMES:
            return UnavailableError(message, code=code, name=name)
        return QueryError(message, code=code, name=name)
    if isinstance(exc, (OperationalError, ConnectionError, OSError)):
        return UnreachableError(f"ClickHouse is unreachable: {scrub(str(exc), secrets)}", name="UNREACHABLE")
    if isinstance(exc, ClickHouseError):
        return QueryError(scrub(str(exc), secrets))
    return QueryError(f"{type(exc).__name__}: {scrub(str(exc), secrets)}")


def _embedded_client(data_dir: Path) -> Any:
    """The process-wide chdb client for `data_dir` (chdb allows one engine path per process)."""
    path = data_dir.resolve()
    with _embedded_lock:
        client = _embedded_clients.get(path)
        if client is None:
            if _embedded_clients:
                other = next(iter(_embedded_clients))
                raise UnreachableError(
                    f"the embedded engine is already open at {other}; one process can open only one CHM_DATA_DIR"
                )
            path.mkdir(parents=True, exist_ok=True)
            client = clickhouse_connect.get_client(
                dsn=f"chdb://{path}", chdb_options={"config-file": str(ENGINE_CONFIG)}
            )
            # A fresh engine creates its log tables at the first flush (seconds later); flush now so the dashboard's
            # first view shows the logs instead of "not available". Our own engine only: a server is never touched.
            client.command("SYSTEM FLUSH LOGS")
            _embedded_clients[path] = client
        return client


@dataclass
class Connection:
    """One ClickHouse endpoint with the settings every query of the app carries."""

    label: str
    client: Any
    embedded: bool
    max_execution_time: int = 60
    max_result_rows: int = 10000
    max_memory_usage: int = 2_000_000_000
    secrets: tuple[str, ...] = ()
    timezone: str = ""
    url: str = ""
    retry_after: float = 10.0

    def query_settings(self, *, readonly: bool = False, extra: dict[str, Any] | None = None) -> dict[str, Any]:
        """The per-query settings: time limit, row cap (result truncated, not failed), the app's tag."""
        result: dict[str, Any] = {
            "max_execution_time": self.max_execution_time,
            "max_result_rows": self.max_result_rows,
            "max_memory_usage": self.max_memory_usage,
            "result_overflow_mode": "break",
            "log_comment": APP_TAG,
        }
        if self.timezone:
            result["session_timezone"] = self.timezone
        result.update(extra or {})
        if readonly:
            result.pop("readonly", None)
            result["readonly"] = 1  # last: a server applies settings in order, and readonly forbids later ones
        return result

    def _run(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        if self.url:
            check_down(self.url)
        try:
            if self.embedded:
                with _embedded_lock:
                    return fn(*args, **kwargs)
            return fn(*args, **kwargs)
        except Exception as exc:  # translated once, here, at the boundary
            error = translate(exc, self.secrets, self.max_execution_time)
            if isinstance(error, UnreachableError) and self.url:
                mark_down(self.url, str(error), self.retry_after)
            raise error from exc

    def query_df(
        self, sql: str, params: dict[str, Any] | None = None, *, readonly: bool = False,
        settings: dict[str, Any] | None = None,
    ) -> pd.DataFrame:
        """Run a SELECT with server-side parameters and return a DataFrame.

        With `readonly=True` the server enforces `readonly=1`; users' statements are checked before they get here
        (`chstore.guard.check`), and every statement is parsed and checked here too, once per text
        (`chstore.guard.check_trusted`): on the embedded engine a write refused at `readonly=1` would leave the
        whole engine read-only.
        """
        if readonly:
            guard.check_trusted(self, sql)
        result = self._run(
            self.client.query, sql, parameters=params or {},
            settings=self.query_settings(readonly=readonly, extra=settings),
        )
        rows = result.result_rows
        frame = pd.DataFrame(rows[: self.max_result_rows], columns=list(result.column_names))
        # result_overflow_mode=break stops at a block boundary, so the server may send a block past the cap.
        frame.attrs["truncated"] = len(rows) > self.max_result_rows
        return frame

    def query_rows(
        self, sql: str, params: dict[str, Any] | None = None, *, settings: dict[str, Any] | None = None
    ) -> list[tuple]:
        """Run a SELECT and return its rows as tuples."""
        result = self._run(
            self.client.query, sql, parameters=params or {}, settings=self.query_settings(extra=settings)
        )
        return list(result.result_rows)

    def command(self, sql: str, params: dict[str, Any] | None = None, *, settings: dict[str, Any] | None = None) -> Any:
        """Run a statement that returns no rows (DDL, SYSTEM, KILL)."""
        extra = {"log_comment": APP_TAG, **(settings or {})}
        return self._run(self.client.command, sql, parameters=params or {}, settings=extra)

    def insert(
        self, table: str, rows: list[list[Any]], column_names: list[str], *, settings: dict[str, Any] | None = None,
        column_types: list[str] | None = None,
    ) -> None:
        """Insert rows through the client (native format); never retried here, the caller decides.

        With `column_types` the driver skips its DESCRIBE TABLE round trip before the insert.
        """
        database, _, name = table.rpartition(".")
        extra = {"log_comment": APP_TAG, **(settings or {})}
        self._run(
            self.client.insert, name, rows, column_names=column_names, column_type_names=column_types,
            database=database or None, settings=extra
        )


def connect(settings: Settings, host_index: int = 0) -> Connection:
    """Open a connection to host number `host_index` (or the embedded engine when no host is configured)."""
    common = {
        "max_execution_time": settings.clickhouse_max_execution_time,
        "max_result_rows": settings.chm_max_result_rows,
        "max_memory_usage": settings.chm_max_query_memory,
        "timezone": settings.clickhouse_tz,
    }
    if settings.embedded:
        try:
            client = _embedded_client(Path(settings.chm_data_dir))
        except ChStoreError:
            raise
        except Exception as exc:
            raise translate(exc) from exc
        return Connection(label="embedded", client=client, embedded=True, **common)
    hosts = settings.hosts
    if not 0 <= host_index < len(hosts):
        raise UnreachableError(f"no host number {host_index}; CLICKHOUSE_HOST lists {len(hosts)}")
    url = urlsplit(hosts[host_index])
    user, password = settings.credentials(host_index)
    secrets = tuple(s for s in (password,) if s)
    check_down(hosts[host_index])
    try:
        client = clickhouse_connect.get_client(
            interface=url.scheme,
            host=url.hostname,
            port=url.port or (8443 if url.scheme == "https" else 8123),
            username=user,
            password=password,
            database=settings.clickhouse_database,
            client_name=APP_TAG,
            autogenerate_session_id=False,
            connect_timeout=5,
            send_receive_timeout=settings.clickhouse_max_execution_time + 5,
            query_retries=0,
        )
    except Exception as exc:
        error = translate(exc, secrets)
        if isinstance(error, UnreachableError):
            mark_down(hosts[host_index], str(error), settings.chm_retry_after)
        raise error from exc
    return Connection(label=settings.host_labels[host_index], client=client, embedded=False, secrets=secrets,
                      url=hosts[host_index], retry_after=settings.chm_retry_after, **common)
