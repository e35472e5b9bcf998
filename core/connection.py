"""ClickHouse connections: the embedded engine (chdb) by default, HTTP servers when `CLICKHOUSE_HOST` is set.

Every query of the app goes through `Connection`, which adds the hygiene settings (time limit, row cap, tag) that the
session may change, and translates driver errors, once, into the `core.errors` family. When a connection opens it
learns who it is on the server (`ServerInfo`: version, user, read-only level, the settings the session may not change)
and adapts: a `readonly=1` profile gets no per-query settings at all, a `readonly=2` one gets the limits but never
`readonly`. The server's read-only mode is then the second lock behind the SQL guard.
"""

from __future__ import annotations

import re
import socket
import ssl
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import clickhouse_connect
import pandas as pd
from clickhouse_connect.driver.exceptions import ClickHouseError, DatabaseError, OperationalError

from core import guard, sqlfiles
from core.errors import ChmError, QueryError, QueryTimeoutError, UnavailableError, UnreachableError
from core.settings import CoreSettings

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
READONLY_NAMES = frozenset({"READONLY", "SETTING_CONSTRAINT_VIOLATION"})

LIMIT_SETTINGS = ("max_execution_time", "max_result_rows", "max_result_bytes", "max_memory_usage")
"""The limits the app would send; under a `readonly=1` profile the server's values of these apply instead."""
LOCK_SETTINGS = frozenset({"additional_table_filters"})
"""Settings that scope what a query may see: never silently dropped; a session that cannot set them is refused."""

_open_lock = threading.Lock()
_embedded_pools: dict[Path, EmbeddedPool] = {}
_down_lock = threading.Lock()
_down: dict[str, tuple[float, UnreachableError]] = {}
"""Hosts that just failed to answer: URL → (monotonic time until which calls fail fast, the error they gave)."""


def mark_down(key: str, error: UnreachableError, seconds: float) -> None:
    """Remember that a host failed, so the next calls fail at once instead of each waiting for a timeout."""
    with _down_lock:
        _down[key] = (time.monotonic() + seconds, error)


def down_for(key: str) -> float:
    """Seconds the host stays inside its fail-fast window (0 when it is not marked down)."""
    with _down_lock:
        until = _down[key][0] if key in _down else 0.0
    return max(0.0, until - time.monotonic())


def check_down(key: str) -> None:
    """Raise UnreachableError at once while the host is inside its fail-fast window; clear it afterwards."""
    with _down_lock:
        if key not in _down:
            return
        until, error = _down[key]
        left = until - time.monotonic()
        if left <= 0:
            del _down[key]
            return
    raise UnreachableError(f"{error} (retrying in {left:.0f} s)", name="UNREACHABLE", cause=error.cause,
                           check=error.check)


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


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def unreachable_cause(exc: BaseException) -> tuple[str, str]:
    """Why a host could not be reached, in plain words, and what to check: from the exception types in the chain."""
    for link in _chain(exc):
        if isinstance(link, ConnectionRefusedError):
            return "connection refused", "that a server runs and listens at the URL in CLICKHOUSE_HOST (HTTP: 8123, HTTPS: 8443)"
        if isinstance(link, socket.gaierror):
            return "host name not found", "the host name in CLICKHOUSE_HOST and the DNS of this machine"
        if isinstance(link, ssl.SSLError):
            return "TLS handshake failed", "the https:// port and the server's certificate"
        if isinstance(link, (TimeoutError, socket.timeout)) or type(link).__name__ in (
            "ConnectTimeoutError", "ReadTimeoutError"
        ):
            return "timed out", "that the server is up and not overloaded, and any firewall between"
        if isinstance(link, (ConnectionResetError, ConnectionAbortedError, BrokenPipeError)):
            return "connection dropped", "that the URL points at ClickHouse's HTTP interface, not its native port"
    return "no answer", "the URL in CLICKHOUSE_HOST and that the server is up"


def _unreachable(exc: BaseException, secrets: tuple[str, ...]) -> UnreachableError:
    cause, check = unreachable_cause(exc)
    return UnreachableError(f"ClickHouse is unreachable ({cause}): check {check}. {scrub(str(exc), secrets)}",
                            name="UNREACHABLE", cause=cause, check=check)


def translate(exc: BaseException, secrets: tuple[str, ...] = (), max_execution_time: int | None = None) -> ChmError:
    """Map a driver exception to the core error family, branching on the server's error code/name."""
    if isinstance(exc, ChmError):
        return exc
    if isinstance(exc, OperationalError) and getattr(exc, "code", None) is None:
        return _unreachable(exc, secrets)
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
                "ClickHouse refused the credentials: check CLICKHOUSE_USER and CLICKHOUSE_PASSWORD.", code=code,
                name=name, cause="wrong credentials", check="CLICKHOUSE_USER and CLICKHOUSE_PASSWORD",
            )
        if name in UNAVAILABLE_NAMES:
            return UnavailableError(message, code=code, name=name)
        return QueryError(message, code=code, name=name)
    if isinstance(exc, (OperationalError, ConnectionError, OSError)):
        return _unreachable(exc, secrets)
    if isinstance(exc, ClickHouseError):
        return QueryError(scrub(str(exc), secrets))
    return QueryError(f"{type(exc).__name__}: {scrub(str(exc), secrets)}")


def parse_version(text: str) -> tuple[int, ...]:
    """`24.8.4.13` → (24, 8, 4, 13); anything not numeric ends the tuple."""
    parts: list[int] = []
    for piece in text.split("."):
        digits = re.match(r"\d+", piece)
        if not digits:
            break
        parts.append(int(digits.group(0)))
    return tuple(parts)


@dataclass(frozen=True)
class ServerInfo:
    """What a connection learned when it opened: the server's version, who we are, what the session may change."""

    version_text: str
    user: str
    readonly: int
    values: Mapping[str, str] = field(default_factory=dict)
    fixed: frozenset[str] = frozenset()

    @property
    def version(self) -> tuple[int, ...]:
        """The server's version as numbers, e.g. (24, 8, 4, 13)."""
        return parse_version(self.version_text)

    def at_least(self, *version: int) -> bool:
        """True when the server's version is `version` or newer (`at_least(25, 8)`)."""
        return self.version[: len(version)] >= version

    def may_change(self, name: str) -> bool:
        """Whether this session may send `name` as a per-query setting."""
        if self.readonly == 1:
            return False
        if name == "readonly" and self.readonly:
            return False
        return name not in self.fixed

    def applies(self, wanted: Mapping[str, Any]) -> dict[str, Any]:
        """The part of `wanted` this session may send; a scoping setting it may not send raises QueryError."""
        kept = {name: value for name, value in wanted.items() if self.may_change(name)}
        refused = sorted((set(wanted) - set(kept)) & LOCK_SETTINGS)
        if refused:
            raise QueryError(
                f"this ClickHouse user may not set {', '.join(refused)} (read-only profile), which scoping this "
                "query needs: give the store its own user (CLICKHOUSE_AGENT_CONVERSATIONS_USER) without readonly=1",
                name="READONLY",
            )
        return kept

    @property
    def limits(self) -> dict[str, str]:
        """The server's own values of the limits the app would send (what applies when it may not send them)."""
        return {name: self.values[name] for name in LIMIT_SETTINGS if name in self.values}

    def describe(self) -> str:
        """One line for people: user, version, read-only state and the limits the server applies."""
        line = f"user `{self.user}` on ClickHouse {self.version_text}"
        if not self.readonly:
            return line + ", may run any statement its grants allow"
        shown = ", ".join(
            f"{name}={'unlimited' if value == '0' else value}" for name, value in self.limits.items()
        ) or "none reported"
        if self.readonly == 1:
            return (f"{line}, read-only (readonly=1): the app sends no per-query settings, so the server's "
                    f"profile limits apply ({shown})")
        return (f"{line}, read-only (readonly=2): the app sends its limits but may not change readonly "
                f"(server values: {shown})")


def probe(run: Any) -> ServerInfo:
    """Ask the server who we are (`run` is a client's `query`); sends no per-query settings, so any profile accepts it."""
    version, user, level = run(sqlfiles.statement("connection/probe"), settings={}).result_rows[0]
    values: dict[str, str] = {}
    fixed: set[str] = set()
    try:
        rows = run(sqlfiles.statement("connection/session_settings"),
                   parameters={"names": [*LIMIT_SETTINGS, "readonly"]}, settings={}).result_rows
    except DatabaseError:
        rows = []  # system.settings not readable: the read-only level alone decides
    for name, value, is_fixed in rows:
        if name in LIMIT_SETTINGS or name == "readonly":
            values[name] = value
        if is_fixed:
            fixed.add(name)
    return ServerInfo(str(version), str(user), int(level), values, frozenset(fixed))


class EmbeddedPool:
    """Clients opened on one embedded engine path; each call borrows one, so sessions do not wait on each other.

    One chdb client runs one query at a time, but several clients on the same path run concurrently (and DDL and
    inserts from different clients were seen to be safe), so the only lock is the one that opens clients: opening
    the engine is not thread-safe. User-typed (ad hoc) queries may hold at most `size - 1` clients at once, so one
    slow statement never leaves the dashboard without a client.
    """

    def __init__(self, path: Path, size: int, session: Mapping[str, Any] | None = None, *, engine: Any = None) -> None:
        self.path = path
        self.size = max(1, size)
        self.session = dict(session or {})
        self.engine = engine
        """The client that opened the engine, with no session settings: the engine's own housekeeping."""
        self._idle: list[Any] = [engine] if engine is not None and not self.session else []
        self._open = len(self._idle)
        self._cond = threading.Condition()
        self._adhoc = threading.BoundedSemaphore(max(1, self.size - 1))
        self._upkeep_lock = threading.Lock()

    def _new_client(self) -> Any:
        with _open_lock:
            return clickhouse_connect.get_client(
                dsn=f"chdb://{self.path}", chdb_options=engine_options(self.path), settings=self.session or None,
            )

    @contextmanager
    def borrow(self, *, adhoc: bool = False) -> Iterator[Any]:
        """One client for the length of a call; waits for a free one when all `size` are busy."""
        if adhoc:
            self._adhoc.acquire()
        try:
            with self._cond:
                while not self._idle and self._open >= self.size:
                    self._cond.wait()
                client = self._idle.pop() if self._idle else None
                if client is None:
                    self._open += 1
            if client is None:
                try:
                    client = self._new_client()
                except BaseException:
                    with self._cond:
                        self._open -= 1
                        self._cond.notify()
                    raise
            try:
                yield client
            finally:
                with self._cond:
                    self._idle.append(client)
                    self._cond.notify()
        finally:
            if adhoc:
                self._adhoc.release()

    def upkeep(self, sql: str) -> Any:
        """A statement of the engine's own upkeep (`SYSTEM FLUSH LOGS`), run as the engine's owner: it works even
        when the sessions are read-only, as a server flushes its own logs whoever is reading."""
        if not self.session:
            return self.command(sql)
        with self._upkeep_lock:
            return self.engine.command(sql)

    def query(self, *args: Any, **kwargs: Any) -> Any:
        """`Client.query` on a borrowed client."""
        with self.borrow() as client:
            return client.query(*args, **kwargs)

    def command(self, *args: Any, **kwargs: Any) -> Any:
        """`Client.command` on a borrowed client."""
        with self.borrow() as client:
            return client.command(*args, **kwargs)

    def insert(self, *args: Any, **kwargs: Any) -> Any:
        """`Client.insert` on a borrowed client."""
        with self.borrow() as client:
            return client.insert(*args, **kwargs)


def engine_options(path: Path) -> dict[str, str]:
    """chdb options of the embedded engine at `path`: its config, an empty `user_files_path` of its own (which
    FILE dictionaries respect; chdb's local mode does not hold `file()` to it, see README), and the log level its
    text_log receives (chdb ignores `<logger><level>`; without this option it formats every trace line)."""
    user_files = path / "user_files"
    user_files.mkdir(parents=True, exist_ok=True)
    return {"config-file": str(ENGINE_CONFIG), "user_files_path": f"{user_files}/", "log-level": "information"}


def _embedded_pool(data_dir: Path, size: int, readonly: int = 0) -> EmbeddedPool:
    """The process-wide client pool for `data_dir` (chdb allows one engine path per process)."""
    path = data_dir.resolve()
    with _open_lock:
        pool = _embedded_pools.get(path)
        if pool is not None:
            return pool
        if _embedded_pools:
            other = next(iter(_embedded_pools))
            raise UnreachableError(
                f"the embedded engine is already open at {other}; one process can open only one CHM_DATA_DIR"
            )
        path.mkdir(parents=True, exist_ok=True)
        engine = clickhouse_connect.get_client(dsn=f"chdb://{path}", chdb_options=engine_options(path))
        # A fresh engine creates its log tables at the first flush (seconds later); flush now so the dashboard's
        # first view shows the logs instead of "not available". Our own engine only: a server is never touched.
        engine.command("SYSTEM FLUSH LOGS")
        pool = EmbeddedPool(path, size, {"readonly": readonly} if readonly else None, engine=engine)
        _embedded_pools[path] = pool
        return pool


def parser_connection() -> Connection:
    """This process's own engine, for parsing users' SQL a server cannot parse for the guard (it lacks
    `parseQueryToJSON`): the embedded engine when one is open, else a bare engine in a private empty directory,
    opened once, with no logs and no data. It only parses; the statement then runs on the server."""
    with _open_lock:
        pool = next(iter(_embedded_pools.values()), None)
        if pool is None:
            path = Path(tempfile.mkdtemp(prefix="chm-parser-")).resolve()
            user_files = path / "user_files"
            user_files.mkdir()
            engine = clickhouse_connect.get_client(dsn=f"chdb://{path}",
                                                   chdb_options={"user_files_path": f"{user_files}/"})
            pool = _embedded_pools[path] = EmbeddedPool(path, 1, engine=engine)
    return Connection(label="parser", client=pool, embedded=True)


@dataclass
class Connection:
    """One ClickHouse endpoint with the settings every query of the app carries.

    `client` is a clickhouse-connect client (a server over HTTP) or an `EmbeddedPool` (the embedded engine); both
    offer `query`, `command` and `insert`.
    """

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
    adhoc_max_execution_time: int = 10
    adhoc_max_result_bytes: int = 64 * 1024 * 1024
    _server: ServerInfo | None = field(default=None, repr=False, compare=False)

    @property
    def server(self) -> ServerInfo:
        """Who the app is on this server, probed once on first use (see `ServerInfo`)."""
        if self._server is None:
            self._server = self._run(probe, self.client.query)
        return self._server

    def query_settings(
        self, *, readonly: bool = False, extra: dict[str, Any] | None = None, adhoc: bool = False
    ) -> dict[str, Any]:
        """The per-query settings this session may send: time limit, row cap (result cut, not failed), the tag.

        `adhoc` (user-typed SQL) gets the shorter time limit and a byte cap on the result.
        """
        result: dict[str, Any] = {
            "max_execution_time": self.adhoc_max_execution_time if adhoc else self.max_execution_time,
            "max_result_rows": self.max_result_rows,
            "max_memory_usage": self.max_memory_usage,
            "result_overflow_mode": "break",
            "log_comment": APP_TAG,
        }
        if adhoc:
            result["max_result_bytes"] = self.adhoc_max_result_bytes
        if self.timezone:
            result["session_timezone"] = self.timezone
        result.update(extra or {})
        if readonly:
            result.pop("readonly", None)
            result["readonly"] = 1  # last: a server applies settings in order, and readonly forbids later ones
        return self.server.applies(result)

    def _run(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        if self.url:
            check_down(self.url)
        try:
            return fn(*args, **kwargs)
        except Exception as exc:  # translated once, here, at the boundary
            error = translate(exc, self.secrets, self.max_execution_time)
            if isinstance(error, UnreachableError) and self.url:
                mark_down(self.url, error, self.retry_after)
            raise error from exc

    def _query(self, sql: str, params: dict[str, Any] | None, settings: dict[str, Any], adhoc: bool) -> Any:
        if adhoc and isinstance(self.client, EmbeddedPool):
            def run() -> Any:
                with self.client.borrow(adhoc=True) as client:
                    return client.query(sql, parameters=params or {}, settings=settings)
            return self._run(run)
        return self._run(self.client.query, sql, parameters=params or {}, settings=settings)

    def query_df(
        self, sql: str, params: dict[str, Any] | None = None, *, readonly: bool = False,
        settings: dict[str, Any] | None = None, adhoc: bool = False,
    ) -> pd.DataFrame:
        """Run a SELECT with server-side parameters and return a DataFrame.

        With `readonly=True` the server enforces `readonly=1`; users' statements are checked before they get here
        (`core.guard.check`), and every statement is parsed and checked here too, once per text
        (`core.guard.check_trusted`): on the embedded engine a write refused at `readonly=1` would leave the
        whole engine read-only. `adhoc` marks user-typed SQL (shorter time limit, byte cap, at most all but one
        embedded client).
        """
        if readonly:
            guard.check_trusted(self, sql)
        query_settings = self.query_settings(readonly=readonly, extra=settings, adhoc=adhoc)
        result = self._query(sql, params, query_settings, adhoc)
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

    def flush_logs(self) -> None:
        """Flush the embedded engine's system logs (its own upkeep; a server's logs are never touched)."""
        if isinstance(self.client, EmbeddedPool):
            self._run(self.client.upkeep, "SYSTEM FLUSH LOGS")

    def _write_settings(self, settings: dict[str, Any] | None) -> dict[str, Any]:
        wanted = {"max_execution_time": self.max_execution_time, "log_comment": APP_TAG, **(settings or {})}
        return self.server.applies(wanted)

    def command(self, sql: str, params: dict[str, Any] | None = None, *, settings: dict[str, Any] | None = None) -> Any:
        """Run a statement that returns no rows (DDL, SYSTEM, KILL)."""
        return self._run(self.client.command, sql, parameters=params or {}, settings=self._write_settings(settings))

    def insert(
        self, table: str, rows: list[list[Any]], column_names: list[str], *, settings: dict[str, Any] | None = None,
        column_types: list[str] | None = None,
    ) -> None:
        """Insert rows through the client (native format); never retried here, the caller decides.

        With `column_types` the driver skips its DESCRIBE TABLE round trip before the insert.
        """
        database, _, name = table.rpartition(".")
        self._run(
            self.client.insert, name, rows, column_names=column_names, column_type_names=column_types,
            database=database or None, settings=self._write_settings(settings)
        )


def _limits(settings: CoreSettings) -> dict[str, Any]:
    return {
        "max_execution_time": settings.clickhouse.max_execution_time,
        "max_result_rows": settings.engine.max_result_rows,
        "max_memory_usage": settings.engine.max_query_memory,
        "timezone": settings.clickhouse.tz,
        "adhoc_max_execution_time": settings.engine.adhoc_max_execution_time,
        "adhoc_max_result_bytes": settings.engine.adhoc_max_result_bytes,
    }


def connect(settings: CoreSettings, host_index: int = 0, *, credentials: tuple[str, str] | None = None) -> Connection:
    """Open a connection to host number `host_index` (or the embedded engine when no host is configured).

    `credentials` (user, password) replace the host's configured ones, e.g. for the conversation store's own user.
    """
    common = _limits(settings)
    if settings.clickhouse.embedded:
        try:
            pool = _embedded_pool(Path(settings.engine.data_dir), settings.engine.embedded_clients,
                                  settings.engine.embedded_readonly)
        except ChmError:
            raise
        except Exception as exc:
            raise translate(exc) from exc
        return Connection(label="embedded", client=pool, embedded=True, **common)
    hosts = settings.clickhouse.hosts
    if not 0 <= host_index < len(hosts):
        raise UnreachableError(f"no host number {host_index}; CLICKHOUSE_HOST lists {len(hosts)}")
    url = urlsplit(hosts[host_index])
    user, password = credentials or settings.clickhouse.credentials(host_index)
    secrets = tuple(s for s in (password,) if s)
    check_down(hosts[host_index])
    try:
        client = clickhouse_connect.get_client(
            interface=url.scheme,
            host=url.hostname,
            port=url.port or (8443 if url.scheme == "https" else 8123),
            username=user,
            password=password,
            database=settings.clickhouse.database,
            client_name=APP_TAG,
            autogenerate_session_id=False,
            connect_timeout=5,
            send_receive_timeout=settings.clickhouse.max_execution_time + 5,
            query_retries=0,
        )
    except Exception as exc:
        error = translate(exc, secrets)
        if isinstance(error, UnreachableError):
            mark_down(hosts[host_index], error, settings.engine.retry_after)
        raise error from exc
    return Connection(label=settings.clickhouse.host_labels[host_index], client=client, embedded=False, secrets=secrets,
                      url=hosts[host_index], retry_after=settings.engine.retry_after, **common)
